import Foundation

/// Go's `fmt` and `strconv` formatting as templates use it: `%v` of values, `Sprint`,
/// `Sprintln`, `Sprintf` with the common verbs, flags, width and precision, and `strconv.Quote`.
enum GoFormat {
    // MARK: strconv

    /// `strconv.Quote`.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if isPrint(u) { out.unicodeScalars.append(u) }
                else if u.value < 0x80 { out += "\\x" + hex(UInt64(u.value), 2) }
                else if u.value < 0x10000 { out += "\\u" + hex(UInt64(u.value), 4) }
                else { out += "\\U" + hex(UInt64(u.value), 8) }
            }
        }
        return out + "\""
    }

    static func isPrint(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x20 || u.value == 0x7F { return false }
        if u.value < 0x7F { return true }
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
        case .spaceSeparator: return u.value == 0x20
        default: return true
        }
    }

    static func hex(_ v: UInt64, _ width: Int, upper: Bool = false) -> String {
        let h = String(v, radix: 16, uppercase: upper)
        return h.count >= width ? h : String(repeating: "0", count: width - h.count) + h
    }

    // MARK: floats

    /// Shortest decimal digits and decimal-point position of a finite, non-negative double.
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], dp: Int) {
        if d == 0 { return ([UInt8(ascii: "0")], 1) }
        let desc = "\(d)"
        var mant = Substring(desc)
        var exp = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mant = desc[..<e]
            exp = Int(desc[desc.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var digits: [UInt8] = []
        var dp = 0
        var seenDot = false
        for c in mant.utf8 {
            if c == UInt8(ascii: ".") { seenDot = true; continue }
            digits.append(c)
            if !seenDot { dp += 1 }
        }
        dp += exp
        while digits.count > 1 && digits.first == UInt8(ascii: "0") { digits.removeFirst(); dp -= 1 }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, dp)
    }

    /// `strconv.FormatFloat(d, 'f', -1, 64)` and `'e'`/`'g'` with shortest precision.
    static func formatFloat(_ d: Double, _ fmt: Character) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let neg = d.sign == .minus
        let (digits, dp) = shortestDigits(abs(d))
        let f = fmt
        var out = neg ? "-" : ""
        let ds = String(decoding: digits, as: UTF8.self)
        if f == "e" {
            out += String(ds.prefix(1))
            if digits.count > 1 { out += "." + ds.dropFirst() }
            let e = dp - 1
            out += e < 0 ? "e-" : "e+"
            let ae = abs(e)
            out += ae < 10 ? "0\(ae)" : "\(ae)"
            return out
        }
        if dp <= 0 { return out + "0." + String(repeating: "0", count: -dp) + ds }
        if dp >= digits.count { return out + ds + String(repeating: "0", count: dp - digits.count) }
        return out + ds.prefix(dp) + "." + ds.dropFirst(dp)
    }

    /// Go's `%v` for float64.
    static func formatFloatV(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let exp = shortestDigits(abs(d)).dp - 1
        // strconv's shortest 'g' (what %v uses) has an exponent threshold of 6.
        if exp < -4 || exp >= 6 { return formatFloat(d, "e") }
        return formatFloat(d, "f")
    }

    // MARK: %v

    /// Go's `fmt.Sprint` of one value (`%v`).
    static func v(_ value: TemplateValue) -> String {
        switch value {
        case .nil: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatFloatV(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map { v($0) }.joined(separator: " ") + "]"
        case .map(let m): return "map[" + m.sortedKeys.map { "\($0):\(v(m.entries[$0]!))" }.joined(separator: " ") + "]"
        case .time(let d): return GoTime.goString(d)
        case .object(let o):
            let body = o.fields.keys.sorted().map { v(o.fields[$0]!) }.joined(separator: " ")
            return (o.goType.hasPrefix("*") ? "&{" : "{") + body + "}"
        case .function: return "0x0"
        }
    }

    private static func isString(_ v: TemplateValue) -> Bool { if case .string = v { return true } else { return false } }

    /// `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (k, a) in args.enumerated() {
            if k > 0 && !isString(a) && !isString(args[k - 1]) { out += " " }
            out += v(a)
        }
        return out
    }

    /// `fmt.Sprintln`.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map { v($0) }.joined(separator: " ") + "\n"
    }

    // MARK: Sprintf

    private struct Spec {
        var minus = false, plus = false, sharp = false, zero = false, space = false
        var width: Int? = nil
        var precision: Int? = nil
    }

    /// `fmt.Sprintf` for the verbs b c d e E f F g G o O q s t T U v x X and `%%`, with flags,
    /// width, precision, `*` and Go's `%!verb(type=value)` / `MISSING` / `EXTRA` diagnostics.
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argi = 0
        var i = 0
        while i < f.count {
            if f[i] != "%" { out.unicodeScalars.append(f[i]); i += 1; continue }
            i += 1
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "-": spec.minus = true; spec.zero = false
                case "+": spec.plus = true
                case "#": spec.sharp = true
                case "0": spec.zero = !spec.minus
                case " ": spec.space = true
                default: break flags
                }
                i += 1
            }
            if i < f.count && f[i] == "*" {
                i += 1
                if argi < args.count, case .int(let w) = args[argi], w.magnitude <= 1_000_000 { spec.width = Int(w.magnitude); if w < 0 { spec.minus = true } }
                else { out += "%!(BADWIDTH)" }
                argi += 1
            } else {
                var w = 0, any = false
                while i < f.count, let dv = f[i].properties.numericType != nil ? Int(String(f[i])) : nil { w = min(w * 10 + dv, 1_000_000); i += 1; any = true }
                if any { spec.width = w }
            }
            if i < f.count && f[i] == "." {
                i += 1
                if i < f.count && f[i] == "*" {
                    i += 1
                    if argi < args.count, case .int(let p) = args[argi], p >= 0, p <= 1_000_000 { spec.precision = p } else { out += "%!(BADPREC)" }
                    argi += 1
                } else {
                    var p = 0
                    while i < f.count, let dv = f[i].properties.numericType != nil ? Int(String(f[i])) : nil { p = min(p * 10 + dv, 1_000_000); i += 1 }
                    spec.precision = p
                }
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = Character(f[i])
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argi < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argi]
            argi += 1
            out += pad(formatOne(verb, arg, spec), spec, numeric: isNumber(arg) && "dbcoOxXeEfFgG".contains(verb))
        }
        if argi < args.count {
            out += "%!(EXTRA " + args[argi...].map { "\($0.goTypeName)=\(v($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func isNumber(_ v: TemplateValue) -> Bool {
        switch v { case .int, .double: return true; default: return false }
    }

    private static func pad(_ s: String, _ spec: Spec, numeric: Bool) -> String {
        guard let w = spec.width else { return s }
        let n = s.unicodeScalars.count
        guard n < w else { return s }
        let fill = w - n
        if spec.minus { return s + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            if let first = s.first, first == "-" || first == "+" || first == " " {
                return String(first) + String(repeating: "0", count: fill) + s.dropFirst()
            }
            return String(repeating: "0", count: fill) + s
        }
        return String(repeating: " ", count: fill) + s
    }

    private static func bad(_ verb: Character, _ arg: TemplateValue) -> String {
        if case .nil = arg { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(arg.goTypeName)=\(v(arg)))"
    }

    private static func formatOne(_ verb: Character, _ arg: TemplateValue, _ spec: Spec) -> String {
        if verb == "T" { return arg.goTypeName }
        switch arg {
        case .nil:
            return verb == "v" ? "<nil>" : bad(verb, arg)
        case .bool(let b):
            return verb == "v" || verb == "t" ? (b ? "true" : "false") : bad(verb, arg)
        case .int(let n):
            return formatInt(verb, n, spec) ?? bad(verb, arg)
        case .double(let d):
            var spec = spec
            if verb == "v" { spec.plus = false } // %+v is "plusV" (field names), not a sign
            return formatDouble(verb, d, spec) ?? bad(verb, arg)
        case .string(let s):
            switch verb {
            case "v", "s":
                if let p = spec.precision { return String(s.prefix(p)) }
                return s
            case "q": return spec.sharp && !s.contains("`") ? "`" + s + "`" : quote(s)
            case "x", "X":
                let hexs = s.utf8.map { hex(UInt64($0), 2, upper: verb == "X") }
                return hexs.joined(separator: spec.space ? " " : "")
            default: return bad(verb, arg)
            }
        case .array(let a):
            return "[" + a.map { formatOne(verb, $0, spec) }.joined(separator: " ") + "]"
        case .map(let m):
            return "map[" + m.sortedKeys.map { formatOne(verb, .string($0), spec) + ":" + formatOne(verb, m.entries[$0]!, spec) }.joined(separator: " ") + "]"
        default:
            return verb == "v" || verb == "s" ? v(arg) : bad(verb, arg)
        }
    }

    private static func formatInt(_ verb: Character, _ n: Int, _ spec: Spec) -> String? {
        let sign = n < 0 ? "-" : (spec.plus ? "+" : (spec.space ? " " : ""))
        let mag = n.magnitude
        var body: String
        switch verb {
        case "d", "v": body = String(mag)
        case "b": body = String(mag, radix: 2)
        case "o", "O": body = String(mag, radix: 8); if verb == "O" { body = "0o" + body } else if spec.sharp { body = "0" + body }
        case "x": body = String(mag, radix: 16); if spec.sharp { body = "0x" + body }
        case "X": body = String(mag, radix: 16, uppercase: true); if spec.sharp { body = "0X" + body }
        case "c": return Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}"
        case "q": return Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { "'" + String(quote(String(Character($0))).dropFirst().dropLast()) + "'" } ?? "'\u{FFFD}'"
        case "U": return "U+" + hex(UInt64(mag), 4, upper: true)
        default: return nil
        }
        if let p = spec.precision, body.count < p { body = String(repeating: "0", count: p - body.count) + body }
        return sign + body
    }

    private static func formatDouble(_ verb: Character, _ d: Double, _ spec: Spec) -> String? {
        var s: String
        switch verb {
        case "v", "g", "G":
            if let p = spec.precision { s = String(format: "%.\(p)\(verb == "G" ? "G" : "g")", d) }
            else { s = formatFloatV(d) }
            if verb == "G" { s = s.uppercased() }
        case "e", "E":
            s = String(format: "%.\(spec.precision ?? 6)e", d)
            if verb == "E" { s = s.uppercased() }
        case "f", "F":
            if d.isNaN || d.isInfinite { s = formatFloat(d, "f") } else { s = String(format: "%.\(spec.precision ?? 6)f", d) }
        default: return nil
        }
        if s == "inf" || s == "+inf" { s = "+Inf" } else if s == "-inf" { s = "-Inf" } else if s.lowercased() == "nan" { s = "NaN" }
        if spec.plus && !s.hasPrefix("-") && !s.hasPrefix("+") { s = "+" + s }
        else if spec.space && !s.hasPrefix("-") { s = " " + s }
        return s
    }
}
