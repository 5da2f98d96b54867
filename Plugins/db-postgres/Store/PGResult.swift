import CLibPQ

/// A successful libpq result (`PGRES_COMMAND_OK` or `PGRES_TUPLES_OK`), freed on deinit.
/// Column values are read in binary format: a `bytea` is its raw bytes.
final class PGResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }

    deinit { PQclear(result) }

    /// The number of rows returned.
    var rowCount: Int { Int(PQntuples(result)) }

    /// The number of rows an INSERT, UPDATE or DELETE affected (0 when not applicable).
    var affectedRows: Int {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// Column `column` of row `row` as bytes; SQL NULL and an empty value both give `[]`.
    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        let row = Int32(row), column = Int32(column)
        guard PQgetisnull(result, row, column) == 0 else { return [] }
        let count = Int(PQgetlength(result, row, column))
        guard count > 0, let base = PQgetvalue(result, row, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Whether column `column` of row `row` is SQL NULL.
    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) != 0
    }
}
