import PluginKit

/// step-ca's statements for one bucket, run on one connection. Used alone (autocommit: each
/// statement commits before it returns) and inside ``UpdateTransaction``.
///
/// None of these statements fails because of a concurrent change to the same key: upserts use
/// `ON CONFLICT`, and compare-and-swap is a conditional upsert or update whose result says
/// whether it wrote. That matters inside a transaction, where any error aborts the whole
/// transaction.
struct TableOperations {
    let table: TableName
    let connection: PGConnection

    /// step-ca's physical layout, byte for byte.
    ///
    /// Two sessions running `CREATE TABLE IF NOT EXISTS` at once can make the loser fail on
    /// pg_type's unique index (23505), with 42P07 (relation exists) or 42710 (its row type exists). In autocommit mode the table then exists and
    /// that is success (checked). Inside a transaction the error has aborted the transaction, so
    /// ``ConcurrentTableCreation`` is thrown for the caller to run the transaction again.
    func createTable(inTransaction: Bool = false) throws {
        do {
            try connection.execute("CREATE TABLE IF NOT EXISTS \(table.quoted) (nkey BYTEA CHECK (octet_length(nkey) <= 255), nvalue BYTEA, PRIMARY KEY (nkey));")
        } catch let failure as PGFailure where Self.isConcurrentCreation(failure) {
            if inTransaction { throw ConcurrentTableCreation(failure: failure) }
            guard try exists() else { throw failure.pluginError(table: table) }
        } catch let failure as PGFailure where !failure.connectionLost && !failure.isTransientConflict {
            throw failure.pluginError(table: table)
        }
    }

    /// Whether a failure of `CREATE TABLE IF NOT EXISTS` means another session created the
    /// table at the same moment.
    static func isConcurrentCreation(_ failure: PGFailure) -> Bool {
        [PGFailure.State.uniqueViolation, PGFailure.State.duplicateTable, PGFailure.State.duplicateObject]
            .contains(failure.sqlState)
    }

    /// `DROP TABLE`; a missing table is `.notFound`.
    func dropTable() throws {
        try run { try connection.execute("DROP TABLE \(table.quoted);") }
    }

    /// Whether the table exists (resolved through `search_path`, like the statements).
    func exists() throws -> Bool {
        let result = try run { try connection.query("SELECT to_regclass($1) IS NOT NULL", [.text(table.quoted)]) }
        return result.rowCount == 1 && result.bytes(0, 0) == [1]
    }

    /// The value under `key`, nil when there is no row.
    func read(_ key: [UInt8]) throws -> [UInt8]? {
        let result = try run { try connection.query("SELECT nvalue FROM \(table.quoted) WHERE nkey = $1;", [.bytes(key)]) }
        return result.rowCount == 0 ? nil : result.bytes(0, 0)
    }

    /// Insert or replace, as step-ca does.
    func upsert(_ key: [UInt8], _ value: [UInt8]) throws {
        try run {
            try connection.query("INSERT INTO \(table.quoted) (nkey, nvalue) VALUES ($1, $2) ON CONFLICT (nkey) DO UPDATE SET nvalue = excluded.nvalue;",
                                 [.bytes(key), .bytes(value)])
        }
    }

    func remove(_ key: [UInt8]) throws {
        try run { try connection.query("DELETE FROM \(table.quoted) WHERE nkey = $1;", [.bytes(key)]) }
    }

    /// How many times compare-and-swap re-reads when the value keeps changing under it.
    static let swapAttempts = 1000

    /// Compare-and-swap without locks held across round trips.
    ///
    /// The write is one statement whose WHERE clause is the comparison, so comparing and writing
    /// act on the same row version under PostgreSQL's row lock, which makes the swap atomic and
    /// race-free across sessions and processes even at READ COMMITTED:
    /// - `old` empty (absent, NULL or empty all match): `INSERT ... ON CONFLICT (nkey) DO UPDATE
    ///   SET nvalue = excluded.nvalue WHERE nvalue IS NULL OR octet_length(nvalue) = 0`. Either
    ///   the row is inserted, or the conflicting row is locked and the condition is evaluated on
    ///   its latest committed version (a concurrent inserter is waited for, never a unique
    ///   violation).
    /// - `old` non-empty: `UPDATE ... WHERE nkey = $1 AND nvalue = $2`; a row changed by a
    ///   concurrent transaction is re-checked against its newest version after that commits.
    ///
    /// One affected row means swapped. Otherwise the current value is read to report it; if that
    /// read finds a value that would have matched (it changed back, or the row vanished while
    /// `old` is empty), the swap is tried again.
    func compareAndSwap(key: [UInt8], old: [UInt8], new: [UInt8]) throws -> CompareAndSwapResult {
        for _ in 0..<Self.swapAttempts {
            let written: PGResult
            if old.isEmpty {
                written = try run {
                    try connection.query("""
                        INSERT INTO \(table.quoted) AS t (nkey, nvalue) VALUES ($1, $2) ON CONFLICT (nkey) \
                        DO UPDATE SET nvalue = excluded.nvalue WHERE t.nvalue IS NULL OR octet_length(t.nvalue) = 0;
                        """, [.bytes(key), .bytes(new)])
                }
            } else {
                written = try run {
                    try connection.query("UPDATE \(table.quoted) SET nvalue = $3 WHERE nkey = $1 AND nvalue = $2;",
                                         [.bytes(key), .bytes(old), .bytes(new)])
                }
            }
            if written.affectedRows > 0 { return CompareAndSwapResult(swapped: true, current: []) }
            let current = try read(key) ?? []
            if current != old { return CompareAndSwapResult(swapped: false, current: current) }
        }
        throw PluginError.unavailable("compare-and-swap on \(table.text)/\(printable(key)) kept racing with concurrent writers; try again")
    }

    /// Runs `body`, mapping a server error to the plugin's error for this table. Connection
    /// failures and transient conflicts (serialization failure, deadlock) pass through as
    /// ``PGFailure`` so the caller can decide about the connection or retry a transaction.
    @discardableResult
    func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as PGFailure where !failure.connectionLost && !failure.isTransientConflict {
            throw failure.pluginError(table: table)
        }
    }
}

/// A `CREATE TABLE IF NOT EXISTS` inside a transaction lost a race with another session.
struct ConcurrentTableCreation: Error {
    let failure: PGFailure
}
