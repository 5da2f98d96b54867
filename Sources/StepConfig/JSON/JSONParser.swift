import Foundation

/// A syntax error found while reading JSON text.
public struct JSONSyntaxError: Error, Sendable {
    /// Byte offset of the error.
    public var offset: Int
    /// What is wrong.
    public var message: String
}

/// A strict RFC 8259 parser that keeps byte ranges for every value.
///
/// Go's encoding/json accepts the same grammar: no comments, no trailing
/// commas, no leading zeros, control characters must be escaped.
public struct JSONParser {
    private let bytes: [UInt8]
    private var offset = 0
    private var depth = 0
    private static let maximumDepth = 512

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one value. Returns the value and the offset of the first
    /// non-whitespace byte after it (equal to the byte count if there is none).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> (JSONNode, trailingOffset: Int) {
        var parser = JSONParser(bytes: bytes)
        // A UTF-8 byte order mark is tolerated.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.offset = 3 }
        parser.skipWhitespace()
        let node = try parser.parseValue()
        parser.skipWhitespace()
        return (node, parser.offset)
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            offset += 1
        }
    }

    private func fail(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: position ?? offset, message: message)
    }

    private func describeCurrent() -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(UnicodeScalar(byte)))'" }
        // Decode one full character for the message.
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80, end - offset < 4 { end += 1 }
        let text = String(decoding: bytes[offset..<end], as: UTF8.self)
        if let scalar = text.unicodeScalars.first, byte >= 0x80 {
            return "character '\(text)' (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return String(format: "byte 0x%02X", byte)
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        guard let byte = current else { throw fail("unexpected end of input; expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""):
            let start = offset
            let text = try parseString()
            return JSONNode(value: .string(text), start: start, end: offset)
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw fail("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONNode.Value) throws(JSONSyntaxError) -> JSONNode {
        let start = offset
        for expected in word.utf8 {
            guard current == expected else {
                throw fail("unexpected \(describeCurrent()) in literal \(word)")
            }
            offset += 1
        }
        return JSONNode(value: value, start: start, end: offset)
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw fail("nesting deeper than \(JSONParser.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONNode {
        let start = offset
        try enter()
        offset += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return JSONNode(value: .object(members), start: start, end: offset)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") && !members.isEmpty {
                    throw fail("trailing comma before '}'")
                }
                throw fail("unexpected \(describeCurrent()); expected a string object key")
            }
            let keyOffset = offset
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw fail("unexpected \(describeCurrent()) after object key; expected ':'")
            }
            offset += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONMember(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                depth -= 1
                return JSONNode(value: .object(members), start: start, end: offset)
            default:
                throw fail("unexpected \(describeCurrent()) after object member; expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONNode {
        let start = offset
        try enter()
        offset += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return JSONNode(value: .array(elements), start: start, end: offset)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") && !elements.isEmpty {
                throw fail("trailing comma before ']'")
            }
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                depth -= 1
                return JSONNode(value: .array(elements), start: start, end: offset)
            default:
                throw fail("unexpected \(describeCurrent()) after array element; expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNode {
        let start = offset
        func isDigit(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
        if current == UInt8(ascii: "-") { offset += 1 }
        guard isDigit(current) else { throw fail("invalid number: expected a digit") }
        if current == UInt8(ascii: "0") {
            offset += 1
            if isDigit(current) { throw fail("invalid number: leading zero") }
        } else {
            while isDigit(current) { offset += 1 }
        }
        if current == UInt8(ascii: ".") {
            offset += 1
            guard isDigit(current) else { throw fail("invalid number: expected a digit after '.'") }
            while isDigit(current) { offset += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            guard isDigit(current) else { throw fail("invalid number: expected a digit in the exponent") }
            while isDigit(current) { offset += 1 }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        return JSONNode(value: .number(text), start: start, end: offset)
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = offset
        offset += 1
        var output: [UInt8] = []
        while true {
            guard let byte = current else {
                throw fail("unterminated string", at: open)
            }
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                // Invalid UTF-8 is replaced by U+FFFD, as Go does.
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                offset += 1
                try parseEscape(into: &output)
            case 0x00..<0x20:
                throw fail("control character \(String(format: "0x%02X", byte)) in string; it must be escaped")
            default:
                output.append(byte)
                offset += 1
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = current else { throw fail("unterminated string") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): output.append(0x22)
        case UInt8(ascii: "\\"): output.append(0x5C)
        case UInt8(ascii: "/"): output.append(0x2F)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = try parseHex4()
            if (0xD800...0xDBFF).contains(scalarValue),
               offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") {
                let save = offset
                offset += 2
                let low = try parseHex4()
                if (0xDC00...0xDFFF).contains(low) {
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    offset = save
                }
            }
            let scalar = UnicodeScalar(scalarValue) ?? "\u{FFFD}"
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw fail("invalid escape '\\\(Character(UnicodeScalar(byte)))' in string", at: offset - 2)
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw fail("unterminated \\u escape") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hexadecimal digit in \\u escape")
            }
            value = value * 16 + digit
            offset += 1
        }
        return value
    }
}
