/// JSON with a fixed member order, written the way Go's `json.MarshalIndent(v, "", "\t")`
/// writes it (including `<`, `>`, `&` escaped as `\u003c`…), so files we write look like step's.
indirect enum OrderedJSON: Sendable {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    /// JSON text that is already serialised (e.g. a provisioner object from ca.json).
    case raw(String)

    /// Compact text without a trailing newline, as `json.Marshal` writes it.
    func compact() -> String {
        var out = ""
        writeCompact(into: &out)
        return out
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += Self.quote(member.0) + ":"
                member.1.writeCompact(into: &out)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.writeCompact(into: &out)
            }
            out += "]"
        case .string(let text): out += Self.quote(text)
        case .number(let text), .raw(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// Tab-indented text with a trailing newline.
    func indented() -> String {
        var out = ""
        write(into: &out, depth: 0)
        return out + "\n"
    }

    private func write(into out: inout String, depth: Int) {
        let indent = String(repeating: "\t", count: depth + 1)
        let closing = String(repeating: "\t", count: depth)
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += indent + Self.quote(member.0) + ": "
                member.1.write(into: &out, depth: depth + 1)
                out += index < members.count - 1 ? ",\n" : "\n"
            }
            out += closing + "}"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += indent
                item.write(into: &out, depth: depth + 1)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += closing + "]"
        case .string(let text): out += Self.quote(text)
        case .number(let text), .raw(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// A JSON string literal with Go's escaping (`<`, `>`, `&`, U+2028, U+2029 escaped too).
    static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 32 + 8)
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\")); out.append(byte)
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), 0x00..<0x20:
                    appendUnicodeEscape(of: UInt16(byte), to: &out)
                case 0xE2 where index + 1 < bytes.count && bytes[index] == 0x80 && (bytes[index + 1] == 0xA8 || bytes[index + 1] == 0xA9):
                    appendUnicodeEscape(of: bytes[index + 1] == 0xA8 ? 0x2028 : 0x2029, to: &out)
                    index += 2
                default:
                    out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// `\uXXXX` in lower-case hex.
    private static func appendUnicodeEscape(of value: UInt16, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hex.utf8Start[Int((value >> UInt16(shift)) & 0xf)])
        }
    }
}
