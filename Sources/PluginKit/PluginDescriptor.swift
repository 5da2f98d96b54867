internal import PluginABI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a plugin says about itself in its descriptor.
public struct PluginInfo: Sendable {
    /// The short name, equal to `<name>` in `libstepca-<kind>-<name>.so`.
    public var name: String
    /// The plugin's own version.
    public var version: String
    /// A one-line description.
    public var description: String
    /// The ca.json type names served (`db.type` or `kms.type` values, or key URI schemes).
    public var types: [String]
    /// Whether the host may call the plugin from several threads at once.
    public var threadSafe: Bool
    /// Whether a KMS plugin prefers the asynchronous sign slot.
    public var asynchronousSigning: Bool

    public init(name: String, version: String, description: String, types: [String],
                threadSafe: Bool, asynchronousSigning: Bool = false) {
        self.name = name
        self.version = version
        self.description = description
        self.types = types
        self.threadSafe = threadSafe
        self.asynchronousSigning = asynchronousSigning
    }
}

/// The ABI arguments of `stepca_plugin_entry`, passed through unchanged by a plugin's entry point.
public struct PluginEntryArguments {
    let hostMajor: UInt32
    let host: UnsafePointer<stepca_host_v1>?
    let out: UnsafeMutablePointer<UnsafePointer<stepca_plugin_v1>?>?
    let err: UnsafeMutablePointer<stepca_errbuf>?
}

/// Process-wide state of the plugin, set once by the entry point.
enum PluginState {
    nonisolated(unsafe) static var host = PluginHost.detached
    nonisolated(unsafe) static var descriptor: UnsafePointer<stepca_plugin_v1>?
    nonisolated(unsafe) static var database: (any DatabaseBackend.Type)?
    nonisolated(unsafe) static var keyManager: (any KeyManagementBackend.Type)?
}

/// Serialises the first entry call (the host calls it once, but a test may call it again).
private let entryLock = Lock()

/// Builds the static descriptor on the first call and answers the entry call.
func answerEntry(_ args: PluginEntryArguments, info: PluginInfo, kind: UInt32,
                 table: () -> UnsafeRawPointer) -> Int32 {
    entryLock.withLock {
        guard args.hostMajor == UInt32(STEPCA_ABI_MAJOR) else {
            writeError(args.err, "plugin \(info.name) implements plugin ABI \(STEPCA_ABI_MAJOR), host uses \(args.hostMajor)")
            return STEPCA_E_UNSUPPORTED
        }
        guard let out = args.out else {
            writeError(args.err, "descriptor output pointer is NULL")
            return STEPCA_E_INVALID_ARG
        }
        PluginState.host = PluginHost(args.host)
        if let descriptor = PluginState.descriptor {
            out.pointee = descriptor
            return STEPCA_OK
        }
        let types = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: info.types.count + 1)
        for (index, type) in info.types.enumerated() {
            types[index] = UnsafePointer(strdup(type))
        }
        types[info.types.count] = nil

        var flags: UInt32 = 0
        if info.threadSafe { flags |= STEPCA_F_THREADSAFE }
        if info.asynchronousSigning { flags |= STEPCA_F_ASYNC_SIGN }

        let descriptor = UnsafeMutablePointer<stepca_plugin_v1>.allocate(capacity: 1)
        descriptor.initialize(to: stepca_plugin_v1(
            struct_size: UInt32(MemoryLayout<stepca_plugin_v1>.size),
            abi_major: UInt16(STEPCA_ABI_MAJOR),
            abi_minor: UInt16(STEPCA_ABI_MINOR),
            kind: kind,
            flags: flags,
            name: UnsafePointer(strdup(info.name)),
            version: UnsafePointer(strdup(info.version)),
            description: UnsafePointer(strdup(info.description)),
            types: UnsafePointer(types),
            table: table()
        ))
        PluginState.descriptor = UnsafePointer(descriptor)
        out.pointee = UnsafePointer(descriptor)
        return STEPCA_OK
    }
}
