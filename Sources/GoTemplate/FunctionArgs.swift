import Foundation

/// Argument conversions with Go's messages for values of the wrong type.
enum Args {
    static func string(_ v: TemplateValue) throws -> String {
        switch v {
        case .string(let s): return s
        case .nil: throw TemplateFunctionError("invalid value; expected string", isArgument: true)
        default: throw TemplateFunctionError("wrong type for value; expected string; got \(v.goTypeName)", isArgument: true)
        }
    }

    static func int(_ v: TemplateValue) throws -> Int {
        switch v {
        case .int(let i): return i
        case .nil: throw TemplateFunctionError("invalid value; expected int", isArgument: true)
        default: throw TemplateFunctionError("wrong type for value; expected int; got \(v.goTypeName)", isArgument: true)
        }
    }

    static func bool(_ v: TemplateValue) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .nil: throw TemplateFunctionError("invalid value; expected bool", isArgument: true)
        default: throw TemplateFunctionError("wrong type for value; expected bool; got \(v.goTypeName)", isArgument: true)
        }
    }

    static func map(_ v: TemplateValue) throws -> TemplateMap {
        switch v {
        case .map(let m): return m
        case .nil: throw TemplateFunctionError("invalid value; expected map[string]interface {}", isArgument: true)
        default: throw TemplateFunctionError("wrong type for value; expected map[string]interface {}; got \(v.goTypeName)", isArgument: true)
        }
    }

    /// sprig's `strval`: strings as they are, everything else as `%v`.
    static func strval(_ v: TemplateValue) -> String {
        if case .string(let s) = v { return s }
        return GoFormat.v(v)
    }

    /// spf13/cast `ToInt64` as sprig uses it: numbers truncated, strings parsed with base
    /// prefixes (0 on failure), bools 1/0, anything else 0.
    static func toInt64(_ v: TemplateValue) -> Int {
        switch v {
        case .int(let i): return i
        case .double(let d): return d.isFinite && abs(d) < 9.2e18 ? Int(d) : 0
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            if case .int(let i)? = GoLiteral.number(s), !s.contains(".") { return i }
            return 0
        default: return 0
        }
    }

    /// spf13/cast `ToFloat64`.
    static func toFloat64(_ v: TemplateValue) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Double(s) ?? 0
        default: return 0
        }
    }

    /// sprig's `strslice`.
    static func strslice(_ v: TemplateValue) -> [String] {
        switch v {
        case .array(let a): return a.compactMap { if case .nil = $0 { return nil } else { return strval($0) } }
        case .nil: return []
        default: return [strval(v)]
        }
    }

    /// A list argument (`[]interface{}`) or a sprig-style error naming the function.
    static func list(_ v: TemplateValue, _ fn: String) throws -> [TemplateValue] {
        if case .array(let a) = v { return a }
        throw TemplateFunctionError("Cannot \(fn) on type \(v.goTypeName)")
    }

    /// `reflect.DeepEqual` over template values.
    static func deepEqual(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.time(let x), .time(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
        case (.map(let x), .map(let y)):
            return x.entries.count == y.entries.count && x.entries.allSatisfy { k, v in y.entries[k].map { deepEqual(v, $0) } ?? false }
        case (.object(let x), .object(let y)):
            return x.goType == y.goType && deepEqual(.dict(x.fields), .dict(y.fields))
        default: return false
        }
    }
}
