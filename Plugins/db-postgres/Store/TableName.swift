import PluginKit

/// A bucket name as a PostgreSQL identifier, quoted the way step-ca's driver quotes it.
///
/// step-ca (pgx's `Identifier.Sanitize` over the name split at dots) double-quotes every part,
/// so case is preserved (`"acme_keyID_accountID_index"`) and a `.` separates a schema from a
/// table (`a.b` is table `b` in schema `a`). Embedded double quotes are doubled. Names that
/// PostgreSQL would silently truncate (parts over 63 bytes) are refused instead, so two long
/// names can never end up in the same table.
struct TableName: Sendable {
    /// The bucket name as given, for messages.
    let text: String
    /// The quoted, possibly schema-qualified identifier for SQL text.
    let quoted: String

    /// PostgreSQL's identifier limit (NAMEDATALEN - 1).
    static let maximumPartLength = 63

    init(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw PluginError.invalidArgument("table name is empty") }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw PluginError.invalidArgument("table name must be UTF-8 text without NUL bytes")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts {
            guard !part.isEmpty else {
                throw PluginError.invalidArgument("table name \"\(text)\" has an empty part around a '.' (a '.' separates a schema from a table, as in step-ca)")
            }
            guard part.utf8.count <= Self.maximumPartLength else {
                throw PluginError.invalidArgument("table name \"\(text)\" is longer than PostgreSQL's \(Self.maximumPartLength)-byte identifier limit")
            }
        }
        self.text = text
        self.quoted = parts.map { quoteIdentifier(String($0)) }.joined(separator: ".")
    }
}

/// Double-quotes an identifier, doubling embedded double quotes.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
}

/// A key for messages: text when printable, else hex.
func printable(_ key: [UInt8]) -> String {
    if key.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: key, as: UTF8.self) }
    let digits = Array("0123456789abcdef")
    return "0x" + String(key.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
}
