import CSQLite3
import PluginKit

/// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection with a statement cache. Not thread-safe: callers hold it exclusively.
final class SQLiteConnection {
    let path: String
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating if needed) the database at `path` in WAL mode with durable commits.
    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            db = nil
            throw SQLiteConnection.error(rc, "cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
        do {
            // Reading the schema fails here, with a clear message, for a corrupt or foreign file.
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=FULL")
            try execute("PRAGMA foreign_keys=OFF")
            // Savepoint and statement journals in memory: on disk, SQLite creates, writes and
            // unlinks a temporary file in /var/tmp for nearly every write transaction.
            try execute("PRAGMA temp_store=MEMORY")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// Runs SQL text without results (may hold several statements).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw SQLiteConnection.error(rc, "\(path): \(text)")
        }
    }

    /// Runs a cached prepared statement with blob parameters, calling `row` for each result row.
    /// `row` returns `false` to stop early.
    func query(_ sql: String, _ parameters: [[UInt8]], row: (SQLiteRow) -> Bool = { _ in true }) throws {
        let statement = try prepare(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in parameters.enumerated() {
            let rc = value.withUnsafeBytes { raw -> Int32 in
                if raw.count == 0 { return sqlite3_bind_zeroblob(statement, Int32(index + 1), 0) }
                return sqlite3_bind_blob(statement, Int32(index + 1), raw.baseAddress, Int32(raw.count), transient)
            }
            guard rc == SQLITE_OK else { throw currentError(rc) }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw currentError(rc) }
            if !row(SQLiteRow(statement: statement)) { return }
        }
    }

    /// Number of rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(db)) }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw currentError(rc) }
        if statements.count > 256 {
            for cached in statements.values { sqlite3_finalize(cached) }
            statements.removeAll()
        }
        statements[sql] = statement
        return statement
    }

    /// Forgets cached statements (after a schema change they would be re-prepared anyway).
    func dropStatements(matching fragment: String) {
        for (sql, statement) in statements where sql.contains(fragment) {
            sqlite3_finalize(statement)
            statements[sql] = nil
        }
    }

    private func currentError(_ rc: Int32) -> PluginError {
        SQLiteConnection.error(rc, "\(path): \(String(cString: sqlite3_errmsg(db)))")
    }

    /// Maps an SQLite result code to an ABI status with a message naming the code.
    static func error(_ rc: Int32, _ message: String) -> PluginError {
        let name = String(cString: sqlite3_errstr(rc))
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return PluginError(.unavailable, "\(message) (database is locked by another connection or process; \(name))")
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return PluginError(.internal, "\(message) (the file is corrupt or not an SQLite database; \(name))")
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH:
            return PluginError(.unavailable, "\(message) (\(name))")
        case SQLITE_FULL, SQLITE_IOERR:
            return PluginError(.unavailable, "\(message) (\(name))")
        case SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE:
            return PluginError(.invalidArgument, "\(message) (\(name))")
        default:
            if message.contains("no such table") { return PluginError(.notFound, message) }
            return PluginError(.internal, "\(message) (\(name))")
        }
    }
}

/// A borrowed view of the current result row.
struct SQLiteRow {
    let statement: OpaquePointer

    /// Column `index` as bytes (NULL and empty both give an empty array).
    func blob(_ index: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, index))
        guard count > 0, let base = sqlite3_column_blob(statement, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}
