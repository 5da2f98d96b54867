import Foundation
import StepConfig

/// Turns the ca.json `db` stanza into a store: none → in memory; `sqlite`, `postgresql`,
/// `mysql` or any plugin type → that plugin; step-ca's embedded Go formats → refused.
enum DatabaseOpener {
    /// The embedded Go databases step-ca writes, which cannot be read here.
    static let goEmbeddedTypes: Set<String> = ["badger", "badgerv1", "badgerv2", "bbolt"]

    /// With `createTables` false (readers such as `db export`) step-ca's tables are not created,
    /// so a read-only database user suffices.
    static func open(_ db: DBConfig?, configFile: String, loader: PluginLoader, enableAdmin: Bool,
                     createTables: Bool = true) async throws -> any KeyValueStore {
        guard let db else {
            // No database: nothing outlives the process, but issuance still records its tokens
            // and certificates for the life of the CA.
            let store = InMemoryStore()
            try await createStepTables(in: store, enableAdmin: enableAdmin, configFile: configFile)
            return store
        }
        let type = db.type.lowercased()
        if goEmbeddedTypes.contains(type) {
            throw StartupError(.unsupportedDatabase, """
                \(configFile): db.type "\(db.type)": step-ca's embedded \(type == "bbolt" ? "bbolt" : "Badger") database at \(db.dataSource) cannot be read by \(Version.product). \
                Switch to the embedded SQLite database by setting "db": {"type": "sqlite", "dataSource": "db/ca.db"} \
                (a new database file; certificates issued before keep working, but their records, used tokens and ACME accounts are not carried over), \
                or point "db" at a PostgreSQL or MySQL database ("type": "postgresql" or "mysql").
                """)
        }
        let plugin: LoadedPlugin
        do {
            plugin = try loader.load(kind: .database, type: db.type)
        } catch let error as PluginLoadError {
            throw StartupError(.plugin, "\(configFile): db.type \"\(db.type)\": \(error.message)")
        }
        let store: PluginDatabase
        do {
            // Opening may connect to a server: on the plugin pool, not on the caller's thread.
            let json = try pluginJSON(db), description = describe(db)
            store = try await PluginThreadPool.shared.runIfActive {
                try PluginDatabase(plugin: plugin, configJSON: json, description: description)
            }
        } catch let error as DatabaseError {
            throw StartupError(.database, "\(configFile): db: cannot open the database: \(error.message)")
        }
        guard createTables else { return store }
        try await createStepTables(in: store, enableAdmin: enableAdmin, configFile: configFile)
        return store
    }

    private static func createStepTables(in store: any KeyValueStore, enableAdmin: Bool, configFile: String) async throws {
        var tables = DatabaseTables.core + DatabaseTables.acme
        if enableAdmin { tables += DatabaseTables.admin }
        do {
            for table in tables { try await store.createTable(table) }
        } catch let error as DatabaseError {
            throw StartupError(.database, "\(configFile): db: cannot create step-ca's tables: \(error.message)")
        }
    }

    /// The stanza for the plugin: as written, with `dataSource` replaced by its resolved path
    /// for file databases (relative paths resolve against STEPPATH).
    static func pluginJSON(_ db: DBConfig) throws -> String {
        let type = db.type.lowercased()
        guard type == "sqlite" || type == "sqlite3",
              var object = try JSONSerialization.jsonObject(with: Data(db.rawJSON.utf8)) as? [String: Any]
        else { return db.rawJSON }
        object["dataSource"] = db.dataSource
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// A description for logs that never contains a password (DSNs are reduced to their host).
    static func describe(_ db: DBConfig) -> String {
        let type = db.type.lowercased()
        if type == "sqlite" || type == "sqlite3" { return db.dataSource }
        return db.database.map { "database \($0)" } ?? "configured data source"
    }
}
