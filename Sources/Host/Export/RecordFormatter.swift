/// The output formats of `step-ca db export`.
enum ExportFormat: String, Sendable, CaseIterable {
    case jsonl, csv

    var formatter: any RecordFormatter {
        switch self {
        case .jsonl: return JSONLinesFormatter()
        case .csv: return CSVFormatter()
        }
    }
}

/// Serialises records one at a time into a byte buffer (the caller flushes it).
protocol RecordFormatter: Sendable {
    /// Written once before the first record (the CSV header row); may be empty.
    var header: [UInt8] { get }
    /// Appends one record, with its line ending.
    func append(_ record: ExportRecord, to output: inout [UInt8])
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `text`.
    @inline(__always)
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
