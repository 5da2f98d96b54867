/// SQL text that is safe by construction: string literals in the source, backquoted identifiers,
/// byte strings as hexadecimal literals (`X'6b6579'`), and names that were checked to be bare
/// words. No other value can be interpolated, so stored bytes never reach the SQL parser as text.
struct SQL: ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var bytes: [UInt8]

    init(stringLiteral value: String) {
        bytes = Array(value.utf8)
    }

    init(stringInterpolation: Interpolation) {
        bytes = stringInterpolation.bytes
    }

    /// The text, for tests and debugging (never logged: hex literals carry stored values).
    var description: String { String(decoding: bytes, as: UTF8.self) }

    struct Interpolation: StringInterpolationProtocol {
        var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: String) {
            bytes.append(contentsOf: literal.utf8)
        }

        /// A table or database name as a backquoted identifier.
        mutating func appendInterpolation(_ identifier: MySQLIdentifier) {
            bytes.append(contentsOf: identifier.quoted)
        }

        /// Bytes as a hexadecimal literal, `X''` when empty: a binary string of exactly these bytes.
        mutating func appendInterpolation(hex value: [UInt8]) {
            bytes.append(contentsOf: "X'".utf8)
            SQL.appendHex(value, to: &bytes)
            bytes.append(UInt8(ascii: "'"))
        }

        /// Text as a utf8mb4 string expression built from a hex literal (no escaping involved).
        mutating func appendInterpolation(text value: String) {
            bytes.append(contentsOf: "CONVERT(X'".utf8)
            SQL.appendHex(Array(value.utf8), to: &bytes)
            bytes.append(contentsOf: "' USING utf8mb4)".utf8)
        }

        /// A bare word (letters, digits, `_`, `.`, `+`, `-`, of a number or name the caller validated).
        mutating func appendInterpolation(word: String) {
            precondition(SQL.isWord(word), "not a bare SQL word")
            bytes.append(contentsOf: word.utf8)
        }
    }

    static func isWord(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "+"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    private static let digits = Array("0123456789ABCDEF".utf8)

    static func appendHex(_ value: [UInt8], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + value.count * 2 + 32)
        for byte in value {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
    }
}
