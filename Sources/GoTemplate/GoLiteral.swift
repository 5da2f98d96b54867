/// Go literal syntax: `strconv.Unquote` for strings and characters, and number constants.
enum GoLiteral {
    /// Unquotes a Go interpreted string (`"..."`), raw string (`` `...` ``) or rune (`'x'`).
    static func unquote(_ text: String) -> String? {
        let b = Array(text.utf8)
        guard b.count >= 2, let q = b.first, b.last == q else { return nil }
        if q == UInt8(ascii: "`") {
            return String(decoding: b[1..<(b.count - 1)].filter { $0 != 0x0D }, as: UTF8.self)
        }
        guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return nil }
        var out: [UInt8] = []
        var i = 1
        let end = b.count - 1
        while i < end {
            let c = b[i]
            if c == q || c == 0x0A { return nil }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < end else { return nil }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard e == q else { return nil }
                out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard i + n <= end, let v = UInt32(String(decoding: b[i..<(i + n)], as: UTF8.self), radix: 16) else { return nil }
                i += n
                if e == UInt8(ascii: "x") { out.append(UInt8(v)) } else {
                    guard let s = Unicode.Scalar(v) else { return nil }
                    out.append(contentsOf: Array(String(Character(s)).utf8))
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= end, let v = UInt32(String(decoding: b[(i - 1)..<(i + 2)], as: UTF8.self), radix: 8), v < 256 else { return nil }
                i += 2
                out.append(UInt8(v))
            default: return nil
            }
        }
        if q == UInt8(ascii: "'") {
            let s = String(decoding: out, as: UTF8.self)
            return s.unicodeScalars.count == 1 ? s : nil
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a Go number constant with the typing `text/template` gives literals: an integer
    /// literal is `int`; one with a fraction or exponent (or too large for int) is `float64`.
    static func number(_ text: String) -> NumberValue? {
        var t = text.replacingOccurrences(of: "_", with: "")
        if t.hasSuffix("i") { return nil } // complex constants are not supported
        var negative = false
        if t.hasPrefix("+") { t.removeFirst() } else if t.hasPrefix("-") { negative = true; t.removeFirst() }
        let lower = t.lowercased()
        var radix = 10
        var digits = t
        if lower.hasPrefix("0x") { radix = 16; digits = String(t.dropFirst(2)) }
        else if lower.hasPrefix("0o") { radix = 8; digits = String(t.dropFirst(2)) }
        else if lower.hasPrefix("0b") { radix = 2; digits = String(t.dropFirst(2)) }
        else if t.count > 1 && t.hasPrefix("0") && t.allSatisfy({ $0.isNumber }) { radix = 8; digits = String(t.dropFirst()) }
        if !digits.isEmpty, let v = Int(digits, radix: radix) {
            return .int(negative ? -v : v)
        }
        if !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }), radix != 10 || digits.allSatisfy({ $0.isNumber }) {
            return .overflow
        }
        if radix == 16 {
            // Hex float (0x1p-2) — rare in templates.
            guard let d = Double("0x" + digits) else { return nil }
            return .double(negative ? -d : d)
        }
        guard radix == 10 || radix == 8, !t.isEmpty, t.first != "." || t.count > 1, let d = Double(t),
              t.allSatisfy({ "0123456789.eE+-".contains($0) }) else { return nil }
        return .double(negative ? -d : d)
    }
}
