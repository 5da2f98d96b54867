import PluginKit

extension TableOperations {
    /// Rows fetched per round trip while listing.
    static let fetchSize = 1000

    /// Streams every entry to `visit` until it returns false, in constant memory: a server-side
    /// cursor in a read-only transaction, fetched `fetchSize` rows at a time. The cursor reads one
    /// snapshot (taken at DECLARE), so concurrent writers never make an entry appear twice.
    func list(visit: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws {
        try connection.execute("BEGIN READ ONLY")
        do {
            try run {
                try connection.query("DECLARE stepca_list NO SCROLL CURSOR FOR SELECT nkey, nvalue FROM \(table.quoted);")
            }
            fetching: while true {
                let batch = try run { try connection.query("FETCH FORWARD \(Self.fetchSize) FROM stepca_list;") }
                for row in 0..<batch.rowCount where !visit(batch.bytes(row, 0), batch.bytes(row, 1)) {
                    break fetching
                }
                if batch.rowCount < Self.fetchSize { break }
            }
            try connection.execute("COMMIT")
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }
}
