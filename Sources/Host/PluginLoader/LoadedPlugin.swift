internal import PluginABI
import NIOPosix
import NIOCore
import NIOConcurrencyHelpers

/// A plugin that has been opened and whose descriptor was checked.
///
/// Plugins are never unloaded (a Swift plugin cannot be dlclose()d safely).
final class LoadedPlugin: @unchecked Sendable {
    let path: String
    let kind: PluginKind
    let name: String
    let version: String
    let summary: String
    let types: [String]
    let threadSafe: Bool
    let asynchronousSigning: Bool
    let abiMinor: UInt16
    /// The function table (`stepca_db_v1` or `stepca_kms_v1`, by kind).
    let table: UnsafeRawPointer
    /// Serialises calls to a plugin that is not thread-safe.
    private let serialLock = NIOLock()

    init(path: String, kind: PluginKind, descriptor: UnsafePointer<stepca_plugin_v1>) throws {
        let d = descriptor.pointee
        func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        guard let table = d.table else {
            throw PluginLoadError(code: .badDescriptor, message: "\(path): the plugin descriptor has no function table")
        }
        var types: [String] = []
        if var cursor = d.types {
            while let type = cursor.pointee, types.count < 64 {
                types.append(String(cString: type))
                cursor += 1
            }
        }
        self.path = path
        self.kind = kind
        self.name = text(d.name)
        self.version = text(d.version)
        self.summary = text(d.description)
        self.types = types
        self.threadSafe = d.flags & STEPCA_F_THREADSAFE != 0
        self.asynchronousSigning = d.flags & STEPCA_F_ASYNC_SIGN != 0
        self.abiMinor = d.abi_minor
        self.table = table
    }

    /// Whether the plugin serves a ca.json type (case-insensitive).
    func serves(_ type: String) -> Bool {
        types.contains { $0.caseInsensitiveCompare(type) == .orderedSame }
    }

    /// Runs a blocking plugin call on the plugin thread pool, never on an event loop or the
    /// cooperative pool; calls are serialised when the plugin is not thread-safe.
    func call<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await PluginThreadPool.shared.runIfActive { [self] in
            if threadSafe { return try body() }
            return try serialLock.withLock { try body() }
        }
    }

    /// Runs a plugin call synchronously on the current thread (start-up and tools only).
    func callNow<T>(_ body: () throws -> T) rethrows -> T {
        if threadSafe { return try body() }
        return try serialLock.withLock { try body() }
    }
}

/// The thread pool that runs every plugin call.
enum PluginThreadPool {
    static let shared: NIOThreadPool = {
        let cores = System.coreCount
        return NIOThreadPool._makePerpetualStartedPool(numberOfThreads: max(4, cores * 4), threadNamePrefix: "stepca-plugin")
    }()
}
