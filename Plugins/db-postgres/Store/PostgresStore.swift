import CLibPQ
import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// step-ca's key/value model on PostgreSQL through libpq, with step-ca's physical layout: one
/// table per bucket, `nkey BYTEA` (at most 255 bytes, primary key) and `nvalue BYTEA`.
///
/// Thread-safe: every call takes a connection from a fixed-size ``ConnectionPool`` and returns it
/// afterwards. A connection that broke is closed; the call fails with `.unavailable`
/// ("postgresql: connection lost: ...") unless it is safe to run again (see ``Retry``), and later
/// calls open new connections, so the store recovers by itself when the server is back.
public final class PostgresStore: DatabaseBackend {
    private let pool: ConnectionPool
    private let host: PluginHost

    /// Whether a call may run again on a new connection after its connection turned out dead.
    enum Retry {
        /// Reads and writes whose repetition has the same effect (get, list, set, del,
        /// create_table): retried once, only if the failure came on the very first round trip
        /// of a connection that had sat idle in the pool, i.e. it most likely died while idle.
        case idempotent
        /// Writes whose outcome would be unknown (compare-and-swap, update, delete_table).
        case never
    }

    /// How often an update rolled back by a deadlock, serialization failure or table-creation
    /// race is run again.
    static let updateAttempts = 5

    private init(pool: ConnectionPool, host: PluginHost) {
        self.pool = pool
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> PostgresStore {
        let config = try PostgresConfig.parse(configJSON)
        let connector = Connector(dataSource: config.dataSource, database: config.database,
                                  notices: NoticeLog(host: host), host: host)
        let first = try connector.connectCreatingDatabase()
        host.log(.info, "postgresql: connected to \(first.endpoint) database \"\(first.database)\" (pool of \(config.maxConnections) connections)")
        return PostgresStore(pool: ConnectionPool(capacity: config.maxConnections, connector: connector, first: first), host: host)
    }

    public func close() {
        pool.close()
    }

    // MARK: Operations

    public func createTable(_ table: [UInt8]) throws {
        let name = try TableName(table)
        try withConnection(.idempotent) { try TableOperations(table: name, connection: $0).createTable() }
    }

    public func deleteTable(_ table: [UInt8]) throws {
        let name = try TableName(table)
        try withConnection(.never) { try TableOperations(table: name, connection: $0).dropTable() }
    }

    public func get(table: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let name = try TableName(table)
        try checkKey(key)
        guard let value = try withConnection(.idempotent, { try TableOperations(table: name, connection: $0).read(key) }) else {
            throw PluginError.notFound("\(name.text)/\(printable(key)) not found")
        }
        return value
    }

    public func set(table: [UInt8], key: [UInt8], value: [UInt8]) throws {
        let name = try TableName(table)
        try checkKey(key)
        try checkValue(value)
        try withConnection(.idempotent) { try TableOperations(table: name, connection: $0).upsert(key, value) }
    }

    public func delete(table: [UInt8], key: [UInt8]) throws {
        let name = try TableName(table)
        try checkKey(key)
        try withConnection(.idempotent) { try TableOperations(table: name, connection: $0).remove(key) }
    }

    public func list(table: [UInt8], visit: ([UInt8], [UInt8]) -> Bool) throws {
        let name = try TableName(table)
        try withConnection(.idempotent) { try TableOperations(table: name, connection: $0).list(visit: visit) }
    }

    public func compareAndSwap(table: [UInt8], key: [UInt8], old: [UInt8], new: [UInt8]) throws -> CompareAndSwapResult {
        let name = try TableName(table)
        try checkKey(key)
        try checkValue(new)
        return try withConnection(.never) {
            try TableOperations(table: name, connection: $0).compareAndSwap(key: key, old: old, new: new)
        }
    }

    public func update(_ operations: [DatabaseOperation]) throws -> [DatabaseOperationResult] {
        // Validate everything before touching the database.
        for (index, operation) in operations.enumerated() {
            do { try validate(operation) } catch let error as PluginError {
                throw DatabaseUpdateError(index: index, error: error)
            }
        }
        var attempt = 1
        while true {
            do {
                let mayRetry = attempt < Self.updateAttempts
                return try withConnection(.never) { try UpdateTransaction(operations: operations, connection: $0).run(mayRetry: mayRetry) }
            } catch is UpdateTransaction.Retry {
                host.log(.debug, "postgresql: update rolled back by a concurrent transaction; running it again (attempt \(attempt + 1))")
                usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
                attempt += 1
            }
        }
    }

    // MARK: Connections

    /// Runs `body` on a pooled connection and returns the connection afterwards, or closes it
    /// when it broke. A lost connection becomes `.unavailable("postgresql: connection lost: ...")`
    /// after at most one retry, as `retry` allows.
    private func withConnection<T>(_ retry: Retry, _ body: (PGConnection) throws -> T) throws -> T {
        var retried = false
        while true {
            let connection = try pool.checkout()
            let satIdle = connection.uses > 0
            let roundTripsBefore = connection.roundTrips
            do {
                let result = try body(connection)
                giveBack(connection)
                return result
            } catch let failure as PGFailure {
                giveBack(connection)
                if failure.connectionLost, retry == .idempotent, satIdle, !retried,
                   connection.roundTrips == roundTripsBefore + 1 {
                    host.log(.warning, "postgresql: an idle connection was lost (\(failure.message)); retrying on a new connection")
                    retried = true
                    continue
                }
                throw failure.pluginError()
            } catch {
                giveBack(connection)
                throw error
            }
        }
    }

    /// Returns a connection to the pool, or discards it when broken.
    private func giveBack(_ connection: PGConnection) {
        if connection.isBroken || !connection.looksAlive {
            pool.discard(connection)
        } else {
            pool.checkin(connection)
        }
    }

    // MARK: Validation

    private func validate(_ operation: DatabaseOperation) throws {
        switch operation {
        case .createTable(let table), .deleteTable(let table):
            _ = try TableName(table)
        case .get(let table, let key), .delete(let table, let key):
            _ = try TableName(table)
            try checkKey(key)
        case .set(let table, let key, let value), .compareAndSwap(let table, let key, _, let value, _):
            _ = try TableName(table)
            try checkKey(key)
            try checkValue(value)
        }
    }

    private func checkKey(_ key: [UInt8]) throws {
        guard key.count <= 255 else {
            throw PluginError.invalidArgument("key is \(key.count) bytes; keys are limited to 255 bytes as in step-ca's SQL schema")
        }
    }

    /// The largest `bytea` value PostgreSQL accepts in one field (1 GB).
    static let maximumValueSize = (1 << 30) - 1

    private func checkValue(_ value: [UInt8]) throws {
        guard value.count <= Self.maximumValueSize else {
            throw PluginError.invalidArgument("value is \(value.count) bytes; PostgreSQL stores at most 1 GB in a bytea value")
        }
    }
}
