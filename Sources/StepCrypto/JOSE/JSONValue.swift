import Foundation

/// A JSON value, as found in JWS headers and JWT claims.
///
/// Numbers written without a fraction or exponent that fit in 64 bits are ``integer(_:)``; all
/// others are ``number(_:)``. Objects are unordered here; the exact bytes of a parsed header or
/// payload stay available where the value came from (``JWSHeader/rawJSON``, ``JWTClaims/rawJSON``).
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written as an integer that fits in `Int64`.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Parses JSON strictly (RFC 8259): one value, no comments, no trailing commas, valid UTF-8,
    /// no unpaired surrogate escapes, no repeated member names in an object, at most
    /// ``maximumDepth`` levels of nesting.
    ///
    /// - Throws: ``JWSError/Code/malformedClaims`` describing the first problem.
    public init(jsonData: Data) throws {
        do {
            self = try StrictJSONParser.parse(Array(jsonData))
        } catch let error as StrictJSONParser.SyntaxError {
            throw JWSError.malformedClaims("invalid JSON: \(error.message) at byte \(error.offset)")
        }
    }

    /// The deepest nesting of arrays and objects ``init(jsonData:)`` accepts.
    public static let maximumDepth = StrictJSONParser.maximumDepth

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The Boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an ``integer(_:)``.
    public var int64Value: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, if this is an ``integer(_:)`` or a ``number(_:)``.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array whose elements are all strings.
    public var stringArrayValue: [String]? {
        guard case .array(let elements) = self else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { return nil }
            strings.append(text)
        }
        return strings
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        self == .null
    }

    /// The member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        self.objectValue?[key]
    }

    /// Compact JSON. Object members are sorted by name (as Go's `encoding/json` writes maps) and
    /// strings are escaped as Go escapes them, so the output matches what step would write.
    ///
    /// - Throws: ``JWSError/Code/invalidArgument`` if a number is NaN or infinite.
    public func jsonData() throws -> Data {
        Data(try self.jsonString().utf8)
    }

    /// ``jsonData()`` as a string.
    public func jsonString() throws -> String {
        var out = ""
        try self.write(to: &out)
        return out
    }

    func write(to out: inout String) throws {
        switch self {
        case .null:
            out += "null"
        case .bool(let value):
            out += value ? "true" : "false"
        case .integer(let value):
            out += String(value)
        case .number(let value):
            guard value.isFinite else {
                throw JWSError.invalidArgument("JSON cannot represent the number \(value)")
            }
            if value == value.rounded(.towardZero), abs(value) < 1e15 {
                // Whole numbers print without a fraction, as Go prints them.
                out += String(Int64(value))
            } else {
                out += "\(value)"
            }
        case .string(let value):
            out += OrderedJSONWriter.quoted(value)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                try element.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, name) in members.keys.sorted(by: Self.goMapKeyOrder).enumerated() {
                if index > 0 { out += "," }
                out += OrderedJSONWriter.quoted(name) + ":"
                // The key comes from the dictionary itself.
                try members[name]!.write(to: &out)
            }
            out += "}"
        }
    }

    /// Go sorts map keys by their UTF-8 bytes.
    static func goMapKeyOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    /// A ``string(_:)``.
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    /// An ``integer(_:)``.
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }

    /// A ``number(_:)``.
    public init(floatLiteral value: Double) {
        self = .number(value)
    }

    /// A ``bool(_:)``.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    /// An ``array(_:)``.
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// An ``object(_:)``; a repeated key keeps the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A strict RFC 8259 parser for token headers and claims.
///
/// Stricter than Go's `encoding/json` where leniency could let two parsers disagree about a
/// token: invalid UTF-8, unpaired surrogate escapes and repeated member names (RFC 7515 §5.2
/// allows rejecting them) are errors rather than being replaced or resolved to the last value.
struct StrictJSONParser {
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var offset = 0
    private var depth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = StrictJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.offset == bytes.count else {
            throw parser.fail("unexpected data after the JSON value")
        }
        return value
    }

    private var current: UInt8? {
        self.offset < self.bytes.count ? self.bytes[self.offset] : nil
    }

    private func fail(_ message: String, at position: Int? = nil) -> SyntaxError {
        SyntaxError(offset: position ?? self.offset, message: message)
    }

    private mutating func skipWhitespace() {
        while let byte = self.current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            self.offset += 1
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard let byte = self.current else { throw self.fail("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try self.parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try self.parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw self.fail("unexpected byte 0x\(String(byte, radix: 16)), expected a value")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws -> JSONValue {
        let start = self.offset
        for byte in word.utf8 {
            guard self.current == byte else { throw self.fail("invalid literal", at: start) }
            self.offset += 1
        }
        return value
    }

    private mutating func enter() throws {
        self.depth += 1
        guard self.depth <= Self.maximumDepth else {
            throw self.fail("nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try self.enter()
        self.offset += 1
        var members: [String: JSONValue] = [:]
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.offset += 1
            self.depth -= 1
            return .object(members)
        }
        while true {
            self.skipWhitespace()
            guard self.current == UInt8(ascii: "\"") else {
                throw self.fail("expected a member name")
            }
            let nameOffset = self.offset
            let name = try self.parseString()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.fail("expected ':' after a member name") }
            self.offset += 1
            self.skipWhitespace()
            let value = try self.parseValue()
            guard members.updateValue(value, forKey: name) == nil else {
                throw self.fail("the member name \(OrderedJSONWriter.quoted(name)) is repeated", at: nameOffset)
            }
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.offset += 1
            case UInt8(ascii: "}"):
                self.offset += 1
                self.depth -= 1
                return .object(members)
            default:
                throw self.fail("expected ',' or '}' after an object member")
            }
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try self.enter()
        self.offset += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.offset += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue())
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.offset += 1
            case UInt8(ascii: "]"):
                self.offset += 1
                self.depth -= 1
                return .array(elements)
            default:
                throw self.fail("expected ',' or ']' after an array element")
            }
        }
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = self.offset
        func isDigit(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }
        var isInteger = true
        if self.current == UInt8(ascii: "-") { self.offset += 1 }
        guard isDigit(self.current) else { throw self.fail("invalid number: expected a digit") }
        if self.current == UInt8(ascii: "0") {
            self.offset += 1
            if isDigit(self.current) { throw self.fail("invalid number: leading zero") }
        } else {
            while isDigit(self.current) { self.offset += 1 }
        }
        if self.current == UInt8(ascii: ".") {
            isInteger = false
            self.offset += 1
            guard isDigit(self.current) else { throw self.fail("invalid number: expected a digit after '.'") }
            while isDigit(self.current) { self.offset += 1 }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            isInteger = false
            self.offset += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.offset += 1 }
            guard isDigit(self.current) else { throw self.fail("invalid number: expected a digit in the exponent") }
            while isDigit(self.current) { self.offset += 1 }
        }
        let text = String(decoding: self.bytes[start..<self.offset], as: UTF8.self)
        if isInteger, let value = Int64(text) {
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw self.fail("the number \(text) is out of range", at: start)
        }
        return .number(value)
    }

    private mutating func parseString() throws -> String {
        let open = self.offset
        self.offset += 1
        var output: [UInt8] = []
        while true {
            guard let byte = self.current else { throw self.fail("unterminated string", at: open) }
            switch byte {
            case UInt8(ascii: "\""):
                self.offset += 1
                // Decoding replaces invalid sequences, so a round trip that changes the bytes means invalid UTF-8.
                let text = String(decoding: output, as: UTF8.self)
                guard text.utf8.elementsEqual(output) else {
                    throw self.fail("the string is not valid UTF-8", at: open)
                }
                return text
            case UInt8(ascii: "\\"):
                self.offset += 1
                try self.parseEscape(into: &output)
            case 0x00..<0x20:
                throw self.fail("unescaped control character in a string")
            default:
                output.append(byte)
                self.offset += 1
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws {
        guard let byte = self.current else { throw self.fail("unterminated string") }
        self.offset += 1
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
            var value = try self.parseHex4()
            if (0xDC00...0xDFFF).contains(value) {
                throw self.fail("unpaired low surrogate escape")
            }
            if (0xD800...0xDBFF).contains(value) {
                guard self.current == UInt8(ascii: "\\") else { throw self.fail("unpaired high surrogate escape") }
                self.offset += 1
                guard self.current == UInt8(ascii: "u") else { throw self.fail("unpaired high surrogate escape") }
                self.offset += 1
                let low = try self.parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw self.fail("unpaired high surrogate escape") }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else { throw self.fail("invalid \\u escape") }
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw self.fail("invalid escape sequence", at: self.offset - 2)
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.current else { throw self.fail("unterminated \\u escape") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.fail("invalid hexadecimal digit in a \\u escape")
            }
            value = value * 16 + digit
            self.offset += 1
        }
        return value
    }
}
