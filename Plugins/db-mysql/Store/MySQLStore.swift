import PluginKit

/// step-ca's key/value model on MySQL or MariaDB through libmariadb, with step-ca's physical
/// layout: one InnoDB table per bucket, ``CREATE TABLE `bucket`(nkey VARBINARY(255), nvalue BLOB,
/// PRIMARY KEY (nkey))``, in a database the plugin creates when it is missing.
///
/// Calls run on a fixed-size connection pool and may come from any thread. A read that finds its
/// connection lost runs once more on a fresh one; a write never does (its outcome is unknown),
/// it fails with `.unavailable` and the next call gets a new connection.
public final class MySQLStore: DatabaseBackend {
    private let pool: ConnectionPool
    private let host: PluginHost

    private init(pool: ConnectionPool, host: PluginHost) {
        self.pool = pool
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> MySQLStore {
        let config = try MySQLConfig.parse(configJSON)
        try prepareThread()
        let settings = ConnectionSettings(dsn: config.dsn, database: config.database)
        for segment in config.dsn.skippedSegments {
            host.log(.warning, "mysql: db.dataSource parameter \"\(segment)\" has no \"=\" and is ignored, as the Go driver ignores it")
        }
        let first = try connect(settings, createDatabase: true)
        host.log(.info, "mysql: connected to \(settings.target) (server \(first.serverVersion), \(first.cipher.map { "TLS \($0)" } ?? "no TLS"), pool of \(config.maxConnections))")
        let pool = ConnectionPool(capacity: config.maxConnections, first: first) {
            try connect(settings, createDatabase: false)
        }
        return MySQLStore(pool: pool, host: host)
    }

    /// Opens one connection, turning a failure into one message that names the server and the
    /// database (and never the password).
    private static func connect(_ settings: ConnectionSettings, createDatabase: Bool) throws -> MySQLConnection {
        do {
            return try MySQLConnection.open(settings, createDatabase: createDatabase)
        } catch let error as MySQLError {
            let message = "mysql: connection to \(settings.target) failed: \(error)"
            throw error.denied ? PluginError(.auth, message) : PluginError.unavailable(message)
        }
    }

    public func close() {
        pool.close()
    }

    // MARK: Tables

    public func createTable(_ table: [UInt8]) throws {
        let name = try MySQLIdentifier(table: table)
        try write(name) { try $0.execute(Statements.createTable(name)) }
    }

    public func deleteTable(_ table: [UInt8]) throws {
        let name = try MySQLIdentifier(table: table)
        try write(name) { try $0.execute(Statements.dropTable(name)) }
    }

    // MARK: Reads

    public func get(table: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let name = try MySQLIdentifier(table: table)
        try Statements.checkKey(key)
        return try read(name, delivered: Flag()) { connection in
            guard let value = try Statements.read(name, key, on: connection) else { throw Statements.keyNotFound(name, key) }
            return value
        }
    }

    public func list(table: [UInt8], visit: ([UInt8], [UInt8]) -> Bool) throws {
        let name = try MySQLIdentifier(table: table)
        let delivered = Flag()
        try read(name, delivered: delivered) { connection in
            try connection.stream(Statements.list(name), delivered: &delivered.value, visit)
        }
    }

    // MARK: Writes

    public func set(table: [UInt8], key: [UInt8], value: [UInt8]) throws {
        let name = try MySQLIdentifier(table: table)
        try Statements.checkKey(key)
        try Statements.checkValue(value)
        try write(name) { try Statements.upsert(name, key, value, on: $0) }
    }

    public func delete(table: [UInt8], key: [UInt8]) throws {
        let name = try MySQLIdentifier(table: table)
        try Statements.checkKey(key)
        try write(name) { try Statements.remove(name, key, on: $0) }
    }

    public func compareAndSwap(table: [UInt8], key: [UInt8], old: [UInt8], new: [UInt8]) throws -> CompareAndSwapResult {
        let name = try MySQLIdentifier(table: table)
        try Statements.checkKey(key)
        try Statements.checkValue(new)
        return try write(name) { try Statements.compareAndSwap(name, key, old: old, new: new, on: $0) }
    }

    public func update(_ operations: [DatabaseOperation]) throws -> [DatabaseOperationResult] {
        var tables: [MySQLIdentifier] = []
        for (index, operation) in operations.enumerated() {
            do { tables.append(try Self.validate(operation)) } catch let error as PluginError {
                throw DatabaseUpdateError(index: index, error: error)
            }
        }
        guard !operations.isEmpty else { return [] }
        try Self.prepareThread()
        let transaction = UpdateTransaction(operations: operations, tables: tables, host: host)
        do {
            return try pool.withConnection { try transaction.run(on: $0) }
        } catch let error as MySQLError {
            throw error.pluginError(table: nil)
        }
    }

    /// The operation's table, after checking its name, key and value.
    private static func validate(_ operation: DatabaseOperation) throws -> MySQLIdentifier {
        switch operation {
        case .createTable(let table), .deleteTable(let table):
            return try MySQLIdentifier(table: table)
        case .get(let table, let key), .delete(let table, let key):
            try Statements.checkKey(key)
            return try MySQLIdentifier(table: table)
        case .set(let table, let key, let value), .compareAndSwap(let table, let key, _, let value, _):
            try Statements.checkKey(key)
            try Statements.checkValue(value)
            return try MySQLIdentifier(table: table)
        }
    }

    // MARK: Running statements

    private static func prepareThread() throws {
        do { try MySQLLibrary.prepareThread() } catch let error as MySQLError {
            throw PluginError.internal("mysql: \(error)")
        }
    }

    /// Runs a read. A connection found lost before anything was delivered is replaced and the
    /// read runs once more.
    private func read<T>(_ table: MySQLIdentifier, delivered: Flag, _ body: (MySQLConnection) throws -> T) throws -> T {
        try Self.prepareThread()
        var retried = false
        while true {
            do {
                return try pool.withConnection(body)
            } catch let error as MySQLError {
                if error.connectionLost, !delivered.value, !retried {
                    retried = true
                    continue
                }
                throw error.pluginError(table: table)
            }
        }
    }

    /// Runs a write in autocommit mode. Only a statement InnoDB rolled back as a deadlock victim
    /// is run again; a write on a lost connection is not (the server may have applied it).
    @discardableResult
    private func write<T>(_ table: MySQLIdentifier, _ body: (MySQLConnection) throws -> T) throws -> T {
        try Self.prepareThread()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try pool.withConnection(body)
            } catch let error as MySQLError {
                if error.code == MySQLError.deadlock, attempt < UpdateTransaction.attempts { continue }
                throw error.pluginError(table: table)
            }
        }
    }
}

/// Whether a listing has handed out an entry yet (then it cannot be run again).
private final class Flag {
    var value = false
}
