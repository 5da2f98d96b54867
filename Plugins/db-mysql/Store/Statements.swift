import PluginKit

/// step-ca's statements on one bucket, run on a connection the caller holds. Keys and values
/// travel as hexadecimal literals; the bucket is a backquoted identifier.
enum Statements {
    /// The largest key step-ca's `VARBINARY(255)` column holds.
    static let maxKeyLength = 255
    /// The largest value step-ca's `BLOB` column holds.
    static let maxValueLength = 65_535
    /// How often a compare-and-swap re-reads a row that changed under it before giving up.
    static let swapRounds = 32

    /// step-ca's table, on InnoDB so that updates are transactions.
    static func createTable(_ table: MySQLIdentifier, ifNotExists: Bool = true) -> SQL {
        ifNotExists
            ? "CREATE TABLE IF NOT EXISTS \(table)(nkey VARBINARY(255), nvalue BLOB, PRIMARY KEY (nkey)) ENGINE=InnoDB"
            : "CREATE TABLE \(table)(nkey VARBINARY(255), nvalue BLOB, PRIMARY KEY (nkey)) ENGINE=InnoDB"
    }

    static func dropTable(_ table: MySQLIdentifier, ifExists: Bool = false) -> SQL {
        ifExists ? "DROP TABLE IF EXISTS \(table)" : "DROP TABLE \(table)"
    }

    static func list(_ table: MySQLIdentifier) -> SQL {
        "SELECT nkey, nvalue FROM \(table)"
    }

    /// The value under `key` (NULL reads as empty), or nil when there is no row.
    static func read(_ table: MySQLIdentifier, _ key: [UInt8], locking: Bool = false, on connection: MySQLConnection) throws -> [UInt8]? {
        let row = try connection.firstRow(locking
            ? "SELECT nvalue FROM \(table) WHERE nkey = \(hex: key) FOR UPDATE"
            : "SELECT nvalue FROM \(table) WHERE nkey = \(hex: key)")
        return row.map { $0.first.flatMap { $0 } ?? [] }
    }

    static func upsert(_ table: MySQLIdentifier, _ key: [UInt8], _ value: [UInt8], on connection: MySQLConnection) throws {
        try connection.execute("INSERT INTO \(table) (nkey, nvalue) VALUES (\(hex: key), \(hex: value)) ON DUPLICATE KEY UPDATE nvalue = VALUES(nvalue)")
    }

    static func remove(_ table: MySQLIdentifier, _ key: [UInt8], on connection: MySQLConnection) throws {
        try connection.execute("DELETE FROM \(table) WHERE nkey = \(hex: key)")
    }

    /// Compare-and-swap without relying on isolation: every step is one atomic statement.
    ///
    /// Expecting empty: a plain INSERT swaps when there is no row; on a duplicate key, an UPDATE
    /// guarded by "value is NULL or empty" swaps. Expecting bytes: an UPDATE guarded by
    /// "value = old" swaps. The connection reports matched rows (CLIENT_FOUND_ROWS), so writing
    /// the same bytes again still counts. Otherwise the row is read with a locking read (the
    /// latest committed value, also inside a transaction); if it equals `old` after all, or
    /// vanished while empty was expected, it changed in between and the steps run again.
    static func compareAndSwap(_ table: MySQLIdentifier, _ key: [UInt8], old: [UInt8], new: [UInt8],
                               on connection: MySQLConnection) throws -> CompareAndSwapResult {
        for _ in 0..<swapRounds {
            if old.isEmpty {
                do {
                    try connection.execute("INSERT INTO \(table) (nkey, nvalue) VALUES (\(hex: key), \(hex: new))")
                    return CompareAndSwapResult(swapped: true, current: [])
                } catch let error as MySQLError where error.code == MySQLError.duplicateEntry {
                    // The row exists: it may still hold an empty value.
                }
                let matched = try connection.execute(
                    "UPDATE \(table) SET nvalue = \(hex: new) WHERE nkey = \(hex: key) AND (nvalue IS NULL OR LENGTH(nvalue) = 0)")
                if matched > 0 { return CompareAndSwapResult(swapped: true, current: []) }
            } else {
                let matched = try connection.execute(
                    "UPDATE \(table) SET nvalue = \(hex: new) WHERE nkey = \(hex: key) AND LENGTH(nvalue) = \(word: String(old.count)) AND nvalue = \(hex: old)")
                if matched > 0 { return CompareAndSwapResult(swapped: true, current: []) }
            }
            switch try read(table, key, locking: true, on: connection) {
            case nil where old.isEmpty:
                continue  // deleted after the INSERT failed: try again
            case nil:
                return CompareAndSwapResult(swapped: false, current: [])
            case let current? where current == old:
                continue  // changed back in between
            case let current?:
                return CompareAndSwapResult(swapped: false, current: current)
            }
        }
        throw PluginError.unavailable("mysql: compare-and-swap on table \"\(table.text)\" key \(describe(key)) kept changing under concurrent writers (\(swapRounds) rounds); retry")
    }

    // MARK: Checks and messages

    static func checkKey(_ key: [UInt8]) throws {
        guard key.count <= maxKeyLength else {
            throw PluginError.invalidArgument("key is \(key.count) bytes; step-ca's MySQL schema (nkey VARBINARY(255)) holds at most 255")
        }
    }

    static func checkValue(_ value: [UInt8]) throws {
        guard value.count <= maxValueLength else {
            throw PluginError.invalidArgument("value is \(value.count) bytes; step-ca's MySQL schema (nvalue BLOB) holds at most 65,535 bytes")
        }
    }

    static func keyNotFound(_ table: MySQLIdentifier, _ key: [UInt8]) -> PluginError {
        .notFound("key \(describe(key)) not found in table \"\(table.text)\"")
    }

    static func tableNotFound(_ table: MySQLIdentifier) -> PluginError {
        .notFound("table \"\(table.text)\" does not exist")
    }

    /// A key for messages: quoted text when printable ASCII, else hex (at most 64 bytes shown).
    static func describe(_ key: [UInt8]) -> String {
        if key.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x22 }) { return "\"\(String(decoding: key, as: UTF8.self))\"" }
        var hex: [UInt8] = []
        SQL.appendHex(Array(key.prefix(64)), to: &hex)
        return "0x" + String(decoding: hex, as: UTF8.self) + (key.count > 64 ? "…" : "")
    }
}
