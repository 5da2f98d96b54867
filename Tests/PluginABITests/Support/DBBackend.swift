import Foundation
import Testing
@testable import Host

/// A database backend the conformance suite runs against. Plugin backends are loaded through
/// `dlopen` with the host's own ``PluginLoader`` and driven through ``PluginDatabase``.
struct DBBackend: Sendable, CustomTestStringConvertible {
    /// Where a plugin library comes from.
    enum Source: Sendable {
        /// Built by SwiftPM into the build directory (`swift build`).
        case swiftBuild
        /// The C memdb example, built with its Makefile.
        case memdbExample
        /// The host's in-process reference store (no plugin).
        case host
    }

    let type: String
    let source: Source
    /// The ca.json `db` object for a fresh database whose files live in the given directory.
    let config: @Sendable (_ scratch: String) -> String
    /// The largest value the backend's schema stores (MySQL's `BLOB` column: 65,535 bytes).
    var maxValueSize: Int = .max
    /// The environment variable naming the server this backend needs, when it needs one.
    var serverVariable: String? = nil

    var testDescription: String { source == .host ? "host InMemoryStore" : "\(type) plugin" }

    /// A database plugin serving `type`, configured by `config`.
    static func plugin(_ type: String, from source: Source, config: @escaping @Sendable (_ scratch: String) -> String) -> DBBackend {
        DBBackend(type: type, source: source, config: config)
    }

    /// The host's own in-memory store, the reference behaviour.
    static let hostInMemory = DBBackend(type: "memory", source: .host, config: { _ in "" })

    /// A plugin talking to a real server whose DSN is in the environment variable `variable`
    /// (`scripts/test.sh` starts the servers). Each store gets a database of its own, which the
    /// plugin creates as step-ca does.
    static func server(_ type: String, dsn variable: String, maxValueSize: Int = .max,
                       config: @escaping @Sendable (_ dsn: String, _ database: String) -> String) -> DBBackend {
        var backend = DBBackend(type: type, source: .swiftBuild, config: { scratch in
            let dsn = ProcessInfo.processInfo.environment[variable] ?? ""
            return config(dsn, uniqueDatabaseName(for: scratch))
        })
        backend.maxValueSize = maxValueSize
        backend.serverVariable = variable
        return backend
    }

    /// Every backend the suite runs against; one line per backend. Server backends are left out
    /// locally when their server is not configured; in CI they stay and fail.
    static let all: [DBBackend] = [
        .plugin("sqlite", from: .swiftBuild) { #"{"type":"sqlite","dataSource":"\#($0)/t.db","busyTimeoutMilliseconds":5000}"# },
        .server("postgresql", dsn: "PG_DSN") { #"{"type":"postgresql","dataSource":"\#($0)","database":"\#($1)"}"# },
        .server("mysql", dsn: "MY_DSN", maxValueSize: 65_535) { #"{"type":"mysql","dataSource":"\#($0)","database":"\#($1)"}"# },
        .plugin("memdb", from: .memdbExample) { _ in #"{"type":"memdb"}"# },
        .hostInMemory,
    ].filter { backend in
        if backend.source == .memdbExample { return TestEnvironment.canCompileC }
        if let variable = backend.serverVariable { return TestEnvironment.isCI || TestEnvironment.serverConfigured(variable) }
        return true
    }

    /// The SQLite plugin alone, for its own tests.
    static var sqlite: DBBackend { all.first { $0.type == "sqlite" }! }

    /// The directory the plugin is loaded from.
    func pluginDirectory() throws -> String {
        switch source {
        case .swiftBuild: return try TestEnvironment.swiftPluginDirectory()
        case .memdbExample: return try CPlugins.memdbDirectory()
        case .host: throw TestSetupError("the host store is not a plugin")
        }
    }

    /// Opens a fresh, empty database.
    func open(in scratch: ScratchDirectory) throws -> OpenedStore {
        if source == .host { return OpenedStore(store: InMemoryStore(), pluginName: nil) }
        if let serverVariable, !TestEnvironment.serverConfigured(serverVariable) {
            throw TestSetupError("\(serverVariable) is not set: run scripts/test.sh, which starts the \(type) server and sets it")
        }
        let plugin = try PluginLoader(directories: [pluginDirectory()]).load(kind: .database, type: type)
        let store = try PluginDatabase(plugin: plugin, configJSON: config(scratch.path), description: scratch.path)
        return OpenedStore(store: store, pluginName: plugin.name)
    }

    /// Runs `body` with a fresh database in a scratch directory, closing and removing both after.
    func withStore<T>(_ body: (OpenedStore) async throws -> T) async throws -> T {
        try await withScratchDirectory("stepca-db-\(type)") { scratch in
            let opened = try open(in: scratch)
            do {
                let result = try await body(opened)
                await opened.store.close()
                return result
            } catch {
                await opened.store.close()
                throw error
            }
        }
    }
}

/// An open store with the name of the plugin behind it (nil for the host's store).
struct OpenedStore: Sendable {
    let store: any KeyValueStore
    let pluginName: String?

    /// Whether messages must name a plugin: every plugin error reads "<name> plugin: ...".
    func expectNamesPlugin(_ error: DatabaseError?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let pluginName, let error else { return }
        #expect(error.message.hasPrefix("\(pluginName) plugin: "), "\(error.message)", sourceLocation: sourceLocation)
    }
}

/// A database name unique to one scratch directory: `stepca_test_<random suffix>`, lower case.
func uniqueDatabaseName(for scratch: String) -> String {
    let suffix = scratch.split(separator: "-").last.map(String.init) ?? "db"
    let safe = suffix.lowercased().filter { $0.isLetter || $0.isNumber }
    return "stepca_test_\(safe)_\(UInt32.random(in: 0 ... .max))"
}

/// UTF-8 bytes of a string, for readable keys and values.
func b(_ text: String) -> [UInt8] { Array(text.utf8) }
