internal import PluginABI
import Foundation

/// Finds, opens and checks plugins.
///
/// Directories, in order: `--plugin-dir`, `$STEPCA_PLUGIN_DIR`, `<executable dir>/../lib/step-ca/plugins`,
/// and the executable's own directory (where a development build puts the libraries).
struct PluginLoader: Sendable {
    /// The environment variable naming a plugin directory.
    static let environmentVariable = "STEPCA_PLUGIN_DIR"

    let directories: [String]

    init(explicitDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
         executablePath: String = CommandLine.arguments.first ?? "") {
        var directories: [String] = []
        if let explicitDirectory, !explicitDirectory.isEmpty {
            directories.append(explicitDirectory)
        } else if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            directories.append(fromEnvironment)
        } else {
            let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
            let binDirectory = executable.deletingLastPathComponent()
            directories.append(binDirectory.appendingPathComponent("../lib/step-ca/plugins").standardizedFileURL.path)
            directories.append(binDirectory.path)
        }
        self.directories = directories
    }

    init(directories: [String]) {
        self.directories = directories
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: LoadedPlugin] = [:]

    /// Loads the plugin serving `type` (e.g. "postgresql"), or explains what is missing.
    func load(kind: PluginKind, type: String) throws -> LoadedPlugin {
        let conventional = kind.conventionalPluginName(forType: type)
        if let conventional {
            for directory in directories {
                let path = (directory as NSString).appendingPathComponent(kind.fileName(pluginName: conventional))
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let plugin = try Self.open(path: path, kind: kind)
                guard plugin.serves(type) else {
                    throw PluginLoadError(code: .typeNotServed, message: """
                        \(kind.noun) type "\(type)": \(path) serves \(plugin.types.map { "\"\($0)\"" }.joined(separator: ", ")), not "\(type)"
                        """)
                }
                return plugin
            }
        }
        // Third-party types: look at every plugin of this kind. A plugin that fails to open is
        // remembered: if nothing serves the type, its failure is the better explanation.
        var failures: [PluginLoadError] = []
        for path in candidates(kind: kind) {
            do {
                let plugin = try Self.open(path: path, kind: kind)
                if plugin.serves(type) { return plugin }
            } catch let error as PluginLoadError {
                failures.append(error)
            }
        }
        let expectedFile = kind.fileName(pluginName: conventional ?? type.lowercased())
        if let failure = failures.first(where: { $0.message.contains(expectedFile) }) ?? (failures.count == 1 ? failures.first : nil) {
            throw PluginLoadError(code: failure.code, message: "\(kind.noun) type \"\(type)\": \(failure.message)")
        }
        let file = kind.fileName(pluginName: conventional ?? type.lowercased())
        let searched = directories.joined(separator: ", ")
        let remedy: String
        if let conventional {
            remedy = "build it with `swift build -c release --product stepca-\(kind.rawValue)-\(conventional)` and copy the library into one of these directories, or pass --plugin-dir"
        } else {
            remedy = "install a plugin that serves this type into one of these directories, or pass --plugin-dir"
        }
        throw PluginLoadError(code: .missing, message: """
            \(kind.noun) type "\(type)" needs the plugin \(file), which was not found in \(searched); \(remedy)
            """)
    }

    /// Every `libstepca-<kind>-*.so` in the search directories.
    func candidates(kind: PluginKind) -> [String] {
        let prefix = "libstepca-\(kind.rawValue)-"
        var paths: [String] = []
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.hasPrefix(prefix) && name.hasSuffix(".so") {
                paths.append((directory as NSString).appendingPathComponent(name))
            }
        }
        return paths
    }

    /// Opens a plugin file and checks its descriptor (cached by path: a library is opened once).
    static func open(path: String, kind: PluginKind) throws -> LoadedPlugin {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached = cache[path] {
            guard cached.kind == kind else { throw wrongKind(path: path, expected: kind) }
            return cached
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginLoadError(code: .loadFailed, message: "cannot load plugin \(path): \(reason)")
        }
        guard let symbol = dlsym(handle, STEPCA_ENTRY_SYMBOL) else {
            throw PluginLoadError(code: .notAPlugin, message: "\(path) is not a step-ca plugin: it does not export \(STEPCA_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: stepca_plugin_entry_fn.self)
        var descriptor: UnsafePointer<stepca_plugin_v1>?
        let status = ErrorBuffer.withBuffer { err in
            entry(UInt32(STEPCA_ABI_MAJOR), PluginHostServices.table, &descriptor, err)
        }
        guard status.code == STEPCA_OK, let descriptor else {
            let code: PluginLoadError.Code = status.code == STEPCA_E_UNSUPPORTED ? .abiMismatch : .loadFailed
            throw PluginLoadError(code: code, message: "plugin \(path) refused to start: \(status.message.isEmpty ? "status \(status.code)" : status.message)")
        }
        let d = descriptor.pointee
        guard d.struct_size >= UInt32(MemoryLayout<stepca_plugin_v1>.size) else {
            throw PluginLoadError(code: .badDescriptor, message: "plugin \(path) has a descriptor of \(d.struct_size) bytes; ABI 1 needs \(MemoryLayout<stepca_plugin_v1>.size)")
        }
        guard d.abi_major == UInt16(STEPCA_ABI_MAJOR) else {
            throw PluginLoadError(code: .abiMismatch, message: """
                plugin \(path) was built for plugin ABI \(d.abi_major).\(d.abi_minor); this step-ca speaks ABI \(STEPCA_ABI_MAJOR).\(STEPCA_ABI_MINOR) — rebuild the plugin against this version's stepca_plugin.h
                """)
        }
        guard d.kind == kind.abiValue else { throw wrongKind(path: path, expected: kind) }
        let plugin = try LoadedPlugin(path: path, kind: kind, descriptor: descriptor)
        try plugin.checkTable()
        cache[path] = plugin
        return plugin
    }

    private static func wrongKind(path: String, expected: PluginKind) -> PluginLoadError {
        PluginLoadError(code: .wrongKind, message: "plugin \(path) is not a \(expected.noun) plugin")
    }
}

extension LoadedPlugin {
    /// Checks that the function table is large enough and has its required slots.
    func checkTable() throws {
        switch kind {
        case .database:
            let table = self.table.assumingMemoryBound(to: stepca_db_v1.self).pointee
            guard table.struct_size >= UInt32(MemoryLayout<stepca_db_v1>.size),
                  table.open != nil, table.close != nil, table.create_table != nil, table.delete_table != nil,
                  table.get != nil, table.set != nil, table.del != nil, table.list != nil,
                  table.cas != nil, table.update != nil
            else {
                throw PluginLoadError(code: .badDescriptor, message: "plugin \(path): the database table lacks required functions")
            }
        case .keyManagement:
            let table = self.table.assumingMemoryBound(to: stepca_kms_v1.self).pointee
            guard table.struct_size >= 40,  // open, close, get_public_key and sign are required
                  table.open != nil, table.close != nil, table.get_public_key != nil, table.sign != nil
            else {
                throw PluginLoadError(code: .badDescriptor, message: "plugin \(path): the KMS table lacks required functions")
            }
        }
    }
}
