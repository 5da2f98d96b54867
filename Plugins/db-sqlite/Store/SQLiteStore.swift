import CSQLite3
import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// step-ca's key/value model on SQLite: one table per bucket with `nkey`/`nvalue` BLOB columns,
/// like step-ca's SQL drivers. Writes go through a group-committing writer; reads use a pool of
/// connections, which WAL lets run beside the writer.
public final class SQLiteStore: DatabaseBackend {
    private let path: String
    private let busyTimeout: Int32
    private let writer: GroupCommitter
    private let readersLock = Lock()
    private var idleReaders: [SQLiteConnection] = []
    private let host: PluginHost

    private init(path: String, busyTimeout: Int32, writeConnection: SQLiteConnection, host: PluginHost) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.writer = GroupCommitter(connection: writeConnection)
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> SQLiteStore {
        let config = try SQLiteConfig.parse(configJSON)
        try prepareDirectory(for: config.dataSource)
        let existed = access(config.dataSource, F_OK) == 0
        let connection = try SQLiteConnection(path: config.dataSource, busyTimeoutMilliseconds: config.busyTimeoutMilliseconds)
        if !existed { chmod(config.dataSource, 0o600) }
        // A quick integrity probe turns a damaged file into a start-up error, not a later surprise.
        try connection.query("SELECT count(*) FROM sqlite_schema", [])
        host.log(.info, "sqlite: opened \(config.dataSource) (WAL, synchronous=FULL)")
        return SQLiteStore(path: config.dataSource, busyTimeout: config.busyTimeoutMilliseconds,
                           writeConnection: connection, host: host)
    }

    /// Creates the parent directory (0700) when it does not exist.
    private static func prepareDirectory(for path: String) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var status = stat()
        if stat(directory, &status) == 0 { return }
        var partial = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: false) {
            partial += partial.isEmpty && directory.hasPrefix("/") && component.isEmpty ? "/" : (partial.isEmpty || partial == "/" ? "" : "/") + component
            if partial.isEmpty || partial == "/" { continue }
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw PluginError.unavailable("cannot create directory \(partial) for \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func close() {
        readersLock.withLock {
            idleReaders.forEach { $0.close() }
            idleReaders.removeAll()
        }
    }

    // MARK: Reads

    private func withReader<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let reader = try readersLock.withLock { idleReaders.popLast() }
            ?? SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeout)
        defer { readersLock.withLock { idleReaders.append(reader) } }
        return try body(reader)
    }

    public func get(table: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let name = try TableName(table)
        try checkKey(key)
        return try withReader { try Self.read(name, key, on: $0) }
    }

    public func list(table: [UInt8], visit: ([UInt8], [UInt8]) -> Bool) throws {
        let name = try TableName(table)
        try withReader { connection in
            try connection.query("SELECT nkey, nvalue FROM \(name.quoted)", []) { row in
                visit(row.blob(0), row.blob(1))
            }
        }
    }

    // MARK: Writes

    public func createTable(_ table: [UInt8]) throws {
        let name = try TableName(table)
        try writer.write { try Self.create(name, on: $0) }
    }

    public func deleteTable(_ table: [UInt8]) throws {
        let name = try TableName(table)
        try writer.write { try Self.drop(name, on: $0) }
    }

    public func set(table: [UInt8], key: [UInt8], value: [UInt8]) throws {
        let name = try TableName(table)
        try checkKey(key)
        try writer.write { try Self.upsert(name, key, value, on: $0) }
    }

    public func delete(table: [UInt8], key: [UInt8]) throws {
        let name = try TableName(table)
        try checkKey(key)
        try writer.write { try Self.remove(name, key, on: $0) }
    }

    public func compareAndSwap(table: [UInt8], key: [UInt8], old: [UInt8], new: [UInt8]) throws -> CompareAndSwapResult {
        let name = try TableName(table)
        try checkKey(key)
        return try writer.write { try Self.swap(name, key, old, new, on: $0) }
    }

    public func update(_ operations: [DatabaseOperation]) throws -> [DatabaseOperationResult] {
        // Validate everything before touching the database.
        for (index, operation) in operations.enumerated() {
            do { try validate(operation) } catch let error as PluginError {
                throw DatabaseUpdateError(index: index, error: error)
            }
        }
        return try writer.write { connection in
            var results: [DatabaseOperationResult] = []
            for (index, operation) in operations.enumerated() {
                do {
                    results.append(try Self.apply(operation, on: connection))
                } catch let error as PluginError {
                    throw DatabaseUpdateError(index: index, error: error)
                }
            }
            return results
        }
    }

    private func validate(_ operation: DatabaseOperation) throws {
        switch operation {
        case .createTable(let table), .deleteTable(let table):
            _ = try TableName(table)
        case .get(let table, let key), .delete(let table, let key),
             .set(let table, let key, _), .compareAndSwap(let table, let key, _, _, _):
            _ = try TableName(table)
            try checkKey(key)
        }
    }

    private static func apply(_ operation: DatabaseOperation, on connection: SQLiteConnection) throws -> DatabaseOperationResult {
        switch operation {
        case .createTable(let table):
            try create(TableName(table), on: connection)
        case .deleteTable(let table):
            try drop(TableName(table), on: connection)
        case .get(let table, let key):
            return .value(try read(TableName(table), key, on: connection))
        case .set(let table, let key, let value):
            try upsert(TableName(table), key, value, on: connection)
        case .delete(let table, let key):
            try remove(TableName(table), key, on: connection)
        case .compareAndSwap(let table, let key, let old, let new, let abortOnMismatch):
            let result = try swap(TableName(table), key, old, new, on: connection)
            if !result.swapped && abortOnMismatch {
                throw PluginError.conflict("compare-and-swap on \(String(decoding: table, as: UTF8.self)) found another value")
            }
            return .compareAndSwap(swapped: result.swapped, current: result.current)
        }
        return .done
    }

    // MARK: SQL

    private func checkKey(_ key: [UInt8]) throws {
        guard key.count <= 255 else {
            throw PluginError.invalidArgument("key is \(key.count) bytes; keys are limited to 255 bytes as in step-ca's SQL schema")
        }
    }

    private static func create(_ name: TableName, on connection: SQLiteConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS \(name.quoted) (nkey BLOB CHECK (length(nkey) <= 255), nvalue BLOB, PRIMARY KEY (nkey))")
    }

    private static func drop(_ name: TableName, on connection: SQLiteConnection) throws {
        var exists = false
        try connection.query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = CAST(? AS TEXT)", [Array(name.text.utf8)]) { _ in
            exists = true
            return false
        }
        guard exists else { throw PluginError.notFound("table \(name.text) does not exist") }
        connection.dropStatements(matching: name.quoted)
        try connection.execute("DROP TABLE \(name.quoted)")
    }

    private static func read(_ name: TableName, _ key: [UInt8], on connection: SQLiteConnection) throws -> [UInt8] {
        var value: [UInt8]?
        try connection.query("SELECT nvalue FROM \(name.quoted) WHERE nkey = ?", [key]) { row in
            value = row.blob(0)
            return false
        }
        guard let value else { throw PluginError.notFound("\(name.text)/\(printable(key)) not found") }
        return value
    }

    private static func upsert(_ name: TableName, _ key: [UInt8], _ value: [UInt8], on connection: SQLiteConnection) throws {
        try connection.query("INSERT INTO \(name.quoted) (nkey, nvalue) VALUES (?, ?) ON CONFLICT (nkey) DO UPDATE SET nvalue = excluded.nvalue", [key, value])
    }

    private static func remove(_ name: TableName, _ key: [UInt8], on connection: SQLiteConnection) throws {
        try connection.query("DELETE FROM \(name.quoted) WHERE nkey = ?", [key])
    }

    private static func swap(_ name: TableName, _ key: [UInt8], _ old: [UInt8], _ new: [UInt8],
                             on connection: SQLiteConnection) throws -> CompareAndSwapResult {
        var current: [UInt8] = []
        try connection.query("SELECT nvalue FROM \(name.quoted) WHERE nkey = ?", [key]) { row in
            current = row.blob(0)
            return false
        }
        guard current == old else { return CompareAndSwapResult(swapped: false, current: current) }
        try upsert(name, key, new, on: connection)
        return CompareAndSwapResult(swapped: true, current: [])
    }
}

/// A bucket name checked for use as a quoted SQLite identifier.
struct TableName {
    let text: String
    let quoted: String

    init(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw PluginError.invalidArgument("table name is empty") }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw PluginError.invalidArgument("table name must be UTF-8 text without NUL bytes")
        }
        guard !TableName.isReserved(bytes) else {
            throw PluginError.invalidArgument("table name \(text) is reserved by SQLite")
        }
        self.text = text
        self.quoted = bytes.contains(UInt8(ascii: "\""))
            ? "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
            : "\"" + text + "\""
    }

    /// Whether the name starts with `sqlite_` in any case, which SQLite keeps for itself.
    private static func isReserved(_ bytes: [UInt8]) -> Bool {
        let prefix = Array("sqlite_".utf8)
        guard bytes.count >= prefix.count else { return false }
        return zip(bytes, prefix).allSatisfy { byte, expected in
            byte == expected || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte + 32 == expected)
        }
    }
}

/// A key for messages: text when printable, else hex.
func printable(_ key: [UInt8]) -> String {
    if key.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: key, as: UTF8.self) }
    return "0x" + key.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
