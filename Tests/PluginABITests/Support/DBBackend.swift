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

    var testDescription: String { source == .host ? "host InMemoryStore" : "\(type) plugin" }

    /// A database plugin serving `type`, configured by `config`.
    static func plugin(_ type: String, from source: Source, config: @escaping @Sendable (_ scratch: String) -> String) -> DBBackend {
        DBBackend(type: type, source: source, config: config)
    }

    /// The host's own in-memory store, the reference behaviour.
    static let hostInMemory = DBBackend(type: "memory", source: .host, config: { _ in "" })

    /// Every backend the suite runs against; one line per backend.
    static let all: [DBBackend] = [
        .plugin("sqlite", from: .swiftBuild) { #"{"type":"sqlite","dataSource":"\#($0)/t.db","busyTimeoutMilliseconds":5000}"# },
        .plugin("memdb", from: .memdbExample) { _ in #"{"type":"memdb"}"# },
        .hostInMemory,
    ].filter { $0.source != .memdbExample || TestEnvironment.canCompileC }

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

/// UTF-8 bytes of a string, for readable keys and values.
func b(_ text: String) -> [UInt8] { Array(text.utf8) }
