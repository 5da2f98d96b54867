/// Go's predefined `text/template` functions.
enum BuiltinFunctions {
    static func error(_ m: String) -> TemplateFunctionError { TemplateFunctionError(m) }

    static let all: [String: FunctionSpec] = [
        // and/or are evaluated lazily by the executor; these bodies are never called.
        "and": FunctionSpec(1, nil) { $0.last ?? .nil },
        "or": FunctionSpec(1, nil) { $0.last ?? .nil },
        "not": FunctionSpec(1, 1) { .bool(!$0[0].isTrue) },
        "len": FunctionSpec(1, 1) { .int(try length($0[0])) },
        "index": FunctionSpec(1, nil) { try index($0[0], Array($0.dropFirst())) },
        "slice": FunctionSpec(1, nil) { try slice($0[0], Array($0.dropFirst())) },
        "print": FunctionSpec(0, nil) { .string(GoFormat.sprint($0)) },
        "printf": FunctionSpec(1, nil) { args in
            guard case .string(let f) = args[0] else { throw error("wrong type for value; expected string; got \(args[0].goTypeName)") }
            return .string(GoFormat.sprintf(f, Array(args.dropFirst())))
        },
        "println": FunctionSpec(0, nil) { .string(GoFormat.sprintln($0)) },
        "eq": FunctionSpec(1, nil) { .bool(try eq($0[0], Array($0.dropFirst()))) },
        "ne": FunctionSpec(2, 2) { .bool(!(try eq($0[0], [$0[1]]))) },
        "lt": FunctionSpec(2, 2) { .bool(try lt($0[0], $0[1])) },
        "le": FunctionSpec(2, 2) { .bool(try lt($0[0], $0[1]) || eq($0[0], [$0[1]])) },
        "gt": FunctionSpec(2, 2) { .bool(!(try lt($0[0], $0[1]) || eq($0[0], [$0[1]]))) },
        "ge": FunctionSpec(2, 2) { .bool(!(try lt($0[0], $0[1]))) },
        "html": FunctionSpec(0, nil) { .string(htmlEscape(evalArgs($0))) },
        "js": FunctionSpec(0, nil) { .string(jsEscape(evalArgs($0))) },
        "urlquery": FunctionSpec(0, nil) { .string(queryEscape(evalArgs($0))) },
        "call": FunctionSpec(1, nil) { args in
            switch args[0] {
            case .function(let f):
                return try f(Array(args.dropFirst()))
            case .nil: throw error("call of nil")
            default: throw error("non-function of type \(args[0].goTypeName)")
            }
        },
    ]

    // MARK: helpers

    static func evalArgs(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoFormat.sprint(args)
    }

    static func length(_ v: TemplateValue) throws -> Int {
        switch v {
        case .string(let s): return s.utf8.count
        case .array(let a): return a.count
        case .map(let m): return m.entries.count
        case .nil: throw error("len of nil pointer")
        default: throw error("len of type \(v.goTypeName)")
        }
    }

    private static func indexArg(_ v: TemplateValue, cap: Int) throws -> Int {
        let x: Int
        switch v {
        case .int(let i): x = i
        case .nil: throw error("cannot index slice/array with nil")
        default: throw error("cannot index slice/array with type \(v.goTypeName)")
        }
        if x < 0 || x > cap { throw error("index out of range: \(x)") }
        return x
    }

    static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        var item = item
        for ix in indexes {
            switch item {
            case .array(let a):
                let x = try indexArg(ix, cap: a.count)
                if x == a.count { throw error("index out of range: \(x)") }
                item = a[x]
            case .string(let s):
                let b = Array(s.utf8)
                let x = try indexArg(ix, cap: b.count)
                if x == b.count { throw error("index out of range: \(x)") }
                item = .int(Int(b[x]))
            case .map(let m):
                guard case .string(let k) = ix else {
                    if case .nil = ix { return .nil }
                    throw error("value has type \(ix.goTypeName); should be string")
                }
                item = m.entries[k] ?? .nil
            case .nil:
                throw error("index of untyped nil")
            default:
                throw error("can't index item of type \(item.goTypeName)")
            }
        }
        return item
    }

    static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if case .nil = item { throw error("slice of untyped nil") }
        if indexes.count > 3 { throw error("too many slice indexes: \(indexes.count)") }
        let cap: Int
        switch item {
        case .string(let s):
            if indexes.count == 3 { throw error("cannot 3-index slice a string") }
            cap = s.utf8.count
        case .array(let a): cap = a.count
        default: throw error("can't slice item of type \(item.goTypeName)")
        }
        var idx = [0, cap]
        for (i, v) in indexes.enumerated() {
            let x = try indexArg(v, cap: cap)
            if i < 2 { idx[i] = x } else { idx.append(x) }
        }
        if idx[0] > idx[1] { throw error("invalid slice index: \(idx[0]) > \(idx[1])") }
        if idx.count == 3 && idx[1] > idx[2] { throw error("invalid slice index: \(idx[1]) > \(idx[2])") }
        switch item {
        case .string(let s): return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        case .array(let a): return .array(Array(a[idx[0]..<idx[1]]))
        default: return .nil
        }
    }

    // MARK: comparison

    private enum Kind { case bool, int, float, string, other, invalid }

    private static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int: return .int
        case .double: return .float
        case .string: return .string
        case .nil: return .invalid
        default: return .other
        }
    }

    static func eq(_ a: TemplateValue, _ others: [TemplateValue]) throws -> Bool {
        guard !others.isEmpty else { throw error("missing argument for comparison") }
        let k1 = kind(a)
        for b in others {
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                if k1 != .invalid && k2 != .invalid { throw error("incompatible types for comparison") }
            } else {
                switch (a, b) {
                case (.bool(let x), .bool(let y)): truth = x == y
                case (.int(let x), .int(let y)): truth = x == y
                case (.double(let x), .double(let y)): truth = x == y
                case (.string(let x), .string(let y)): truth = x == y
                case (.nil, .nil): truth = true
                default:
                    throw error("non-comparable type \(GoFormat.sprintf("%s", [b])): \(b.goTypeName)")
                }
            }
            if truth { return true }
        }
        return false
    }

    static func lt(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = kind(a), k2 = kind(b)
        if k1 == .other || k1 == .invalid || k2 == .other || k2 == .invalid { throw error("invalid type for comparison") }
        if k1 != k2 { throw error("incompatible types for comparison") }
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.string(let x), .string(let y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        default: throw error("invalid type for comparison")
        }
    }

    // MARK: escaping

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if u.value < 0x20 { out += "\\u" + GoFormat.hex(UInt64(u.value), 4, upper: true) }
                else if u.value < 0x80 || GoFormat.isPrint(u) { out.unicodeScalars.append(u) }
                else { out += "\\u" + GoFormat.hex(UInt64(u.value), 4, upper: true) }
            }
        }
        return out
    }

    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += "%" + GoFormat.hex(UInt64(b), 2, upper: true)
            }
        }
        return out
    }
}
