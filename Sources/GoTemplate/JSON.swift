import Foundation

/// Go's `encoding/json` output for template values: sorted map keys, HTML-safe escaping of
/// `<`, `>`, `&` (unless raw), U+2028/U+2029 escaped, floats formatted as Go does.
enum JSONWriter {
    struct Unsupported: Error { var message: String }

    static func encode(_ v: TemplateValue, escapeHTML: Bool = true, indent: String? = nil) throws -> String {
        var out = ""
        try write(v, &out, escapeHTML: escapeHTML, indent: indent, level: 0)
        return out
    }

    private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    private static func write(_ v: TemplateValue, _ out: inout String, escapeHTML: Bool, indent: String?, level: Int) throws {
        guard level < 1000 else { throw Unsupported(message: "json: unsupported value: nesting too deep") }
        switch v {
        case .nil, .function: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            guard d.isFinite else { throw Unsupported(message: "json: unsupported value: \(GoFormat.formatFloatV(d))") }
            let a = abs(d)
            if a != 0 && (a < 1e-6 || a >= 1e21) {
                var s = GoFormat.formatFloat(d, "e")
                // Go cleans e-09 to e-9.
                if let r = s.range(of: "e-0") { s.replaceSubrange(r, with: "e-") }
                if let r = s.range(of: "e+0") { s.replaceSubrange(r, with: "e+") }
                out += s
            } else {
                out += GoFormat.formatFloat(d, "f")
            }
        case .string(let s): writeString(s, &out, escapeHTML: escapeHTML)
        case .time(let d): writeString(GoTime.format(d, layout: GoTime.rfc3339Nano), &out, escapeHTML: escapeHTML)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (k, e) in a.enumerated() {
                if k > 0 { out += "," }
                newline(&out, indent, level + 1)
                try write(e, &out, escapeHTML: escapeHTML, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .map(let m):
            try writeObject(m.sortedKeys.map { ($0, m.entries[$0]!) }, &out, escapeHTML: escapeHTML, indent: indent, level: level)
        case .object(let o):
            if let json = o.jsonValue {
                try write(json, &out, escapeHTML: escapeHTML, indent: indent, level: level)
                return
            }
            try writeObject(o.fields.keys.sorted().map { ($0, o.fields[$0]!) }, &out, escapeHTML: escapeHTML, indent: indent, level: level)
        }
    }

    private static func writeObject(_ pairs: [(String, TemplateValue)], _ out: inout String, escapeHTML: Bool, indent: String?, level: Int) throws {
        if pairs.isEmpty { out += "{}"; return }
        out += "{"
        for (k, (key, value)) in pairs.enumerated() {
            if k > 0 { out += "," }
            newline(&out, indent, level + 1)
            writeString(key, &out, escapeHTML: escapeHTML)
            out += indent == nil ? ":" : ": "
            try write(value, &out, escapeHTML: escapeHTML, indent: indent, level: level + 1)
        }
        newline(&out, indent, level)
        out += "}"
    }

    private static let hexDigits = Array("0123456789abcdef")

    static func writeString(_ s: String, _ out: inout String, escapeHTML: Bool) {
        out += "\""
        var plainStart = s.utf8.startIndex
        let u8 = s.utf8
        // Fast path: copy runs of bytes that need no escaping.
        var i = u8.startIndex
        func flush(_ upTo: String.UTF8View.Index) {
            if plainStart < upTo { out += String(s[plainStart..<upTo]) }
        }
        while i < u8.endIndex {
            let b = u8[i]
            var esc: String? = nil
            switch b {
            case UInt8(ascii: "\""): esc = "\\\""
            case UInt8(ascii: "\\"): esc = "\\\\"
            case 0x0A: esc = "\\n"
            case 0x0D: esc = "\\r"
            case 0x09: esc = "\\t"
            case 0x08: esc = "\\b"
            case 0x0C: esc = "\\f"
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                if escapeHTML { esc = "\\u00" + String(hexDigits[Int(b >> 4)]) + String(hexDigits[Int(b & 0xF)]) }
            case 0xE2:
                // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
                let n1 = u8.index(after: i)
                if n1 < u8.endIndex, u8[n1] == 0x80 {
                    let n2 = u8.index(after: n1)
                    if n2 < u8.endIndex, u8[n2] == 0xA8 || u8[n2] == 0xA9 {
                        flush(i)
                        out += u8[n2] == 0xA8 ? "\\u2028" : "\\u2029"
                        i = u8.index(after: n2)
                        plainStart = i
                        continue
                    }
                }
            default:
                if b < 0x20 { esc = "\\u00" + String(hexDigits[Int(b >> 4)]) + String(hexDigits[Int(b & 0xF)]) }
            }
            if let esc {
                flush(i)
                out += esc
                i = u8.index(after: i)
                plainStart = i
            } else {
                i = u8.index(after: i)
            }
        }
        flush(u8.endIndex)
        out += "\""
    }
}

/// A JSON parser producing template values as Go's `json.Unmarshal` into `interface{}` does
/// (numbers are float64).
struct JSONReader {
    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    private let b: [UInt8]
    private var i = 0

    init(_ text: String) { b = Array(text.utf8) }

    mutating func readDocument() throws -> TemplateValue {
        let v = try value(depth: 0)
        skipSpace()
        guard i == b.count else { throw SyntaxError(description: "invalid character after top-level value") }
        return v
    }

    private mutating func skipSpace() {
        while i < b.count && (b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D) { i += 1 }
    }

    private mutating func expect(_ word: String) throws {
        for c in word.utf8 {
            guard i < b.count, b[i] == c else { throw SyntaxError(description: "invalid character in literal") }
            i += 1
        }
    }

    private mutating func value(depth: Int) throws -> TemplateValue {
        guard depth < 500 else { throw SyntaxError(description: "exceeded max depth") }
        skipSpace()
        guard i < b.count else { throw SyntaxError(description: "unexpected end of JSON input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var m: [String: TemplateValue] = [:]
            skipSpace()
            if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; return .dict(m) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw SyntaxError(description: "expected object key") }
                let k = try string()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw SyntaxError(description: "expected colon") }
                i += 1
                m[k] = try value(depth: depth + 1)
                skipSpace()
                guard i < b.count else { throw SyntaxError(description: "unexpected end of JSON input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .dict(m) }
                throw SyntaxError(description: "expected , or }")
            }
        case UInt8(ascii: "["):
            i += 1
            var a: [TemplateValue] = []
            skipSpace()
            if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            while true {
                a.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw SyntaxError(description: "unexpected end of JSON input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                throw SyntaxError(description: "expected , or ]")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .nil
        default:
            let start = i
            while i < b.count, "+-0123456789.eE".utf8.contains(b[i]) { i += 1 }
            guard i > start, let d = Double(String(decoding: b[start..<i], as: UTF8.self)) else {
                throw SyntaxError(description: "invalid character looking for beginning of value")
            }
            return .double(d)
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw SyntaxError(description: "invalid escape")
        }
        i += 4
        return v
    }

    private mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw SyntaxError(description: "unexpected end of JSON input") }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw SyntaxError(description: "invalid character in string literal") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard i < b.count else { throw SyntaxError(description: "unexpected end of JSON input") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00, i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo < 0xE000 { v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00) } else { v = 0xFFFD }
                }
                let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw SyntaxError(description: "invalid escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
