import Foundation

/// A mutable string-keyed map with Go's reference semantics: `set` on a dict seen through two
/// variables changes both, as it does with Go's `map[string]interface{}`.
public final class TemplateMap {
    /// The entries. Iteration, printing and JSON always use the sorted keys, as Go does.
    public var entries: [String: TemplateValue]

    /// Creates a map from its entries.
    public init(_ entries: [String: TemplateValue] = [:]) { self.entries = entries }

    /// The keys in Go's order (byte-wise sorted).
    public var sortedKeys: [String] { entries.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
}

/// A Go value the template sees as an opaque struct with a Go type name (for `typeIs`, e.g.
/// `*rsa.PublicKey`) and exported fields reachable with `.Field`.
public struct TemplateObject {
    /// Go's type name, as `%T` prints it.
    public var goType: String
    /// Exported fields.
    public var fields: [String: TemplateValue]
    /// What `toJson` writes for the object (Go's JSON field tags and `omitempty` differ from the
    /// field names); nil writes the fields.
    public var jsonValue: TemplateValue? {
        get { jsonStorage.first }
        set { jsonStorage = newValue.map { [$0] } ?? [] }
    }
    /// Holds `jsonValue` out of line (a struct cannot contain itself).
    private var jsonStorage: [TemplateValue] = []

    /// Creates an object.
    public init(goType: String, fields: [String: TemplateValue] = [:], jsonValue: TemplateValue? = nil) {
        self.goType = goType
        self.fields = fields
        self.jsonValue = jsonValue
    }
}

/// A template function: receives evaluated arguments and returns a value or throws a
/// `TemplateFunctionError` (Go's "error calling NAME: ...").
public typealias TemplateFunction = ([TemplateValue]) throws -> TemplateValue

/// The values a template operates on: the subset of Go's types that step-ca's template data and
/// sprig functions produce.
public enum TemplateValue {
    /// Go's `nil` (a nil interface, e.g. JSON `null`).
    case `nil`
    case bool(Bool)
    /// Go's `int` (template integer literals, Swift `Int` data, sprig integer results).
    case int(Int)
    /// Go's `float64` (JSON numbers, float literals).
    case double(Double)
    case string(String)
    /// Go's `[]interface{}`.
    case array([TemplateValue])
    /// Go's `map[string]interface{}`; a reference, like Go maps.
    case map(TemplateMap)
    /// A `time.Time`, always in UTC.
    case time(Date)
    /// A Go struct or pointer known by its type name.
    case object(TemplateObject)
    /// A Go `func` value, usable with `call`.
    case function(TemplateFunction)

    /// Builds a map value from Swift entries.
    public static func dict(_ entries: [String: TemplateValue]) -> TemplateValue { .map(TemplateMap(entries)) }

    /// Converts Swift values: `String`, `Bool`, `Int` (and other integers), `Double`, `Date`,
    /// arrays, `[String: Any]`, `NSNull`/`nil` and `TemplateValue` itself. Anything else becomes
    /// its `String(describing:)`.
    public init(any value: Any?) {
        guard let value else { self = .nil; return }
        switch value {
        case let v as TemplateValue: self = v
        case let v as String: self = .string(v)
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .int(v)
        case let v as Int64: self = .int(Int(v))
        case let v as Int32: self = .int(Int(v))
        case let v as UInt: self = .int(Int(truncatingIfNeeded: v))
        case let v as Double: self = .double(v)
        case let v as Float: self = .double(Double(v))
        case let v as Date: self = .time(v)
        case let v as [String: Any?]: self = .dict(v.mapValues { TemplateValue(any: $0) })
        case let v as [String: Any]: self = .dict(v.mapValues { TemplateValue(any: $0) })
        case let v as [Any?]: self = .array(v.map { TemplateValue(any: $0) })
        case let v as [Any]: self = .array(v.map { TemplateValue(any: $0) })
        case is NSNull: self = .nil
        default:
            if case Optional<Any>.none = value as Any? { self = .nil } else { self = .string(String(describing: value)) }
        }
    }

    /// Parses JSON as Go's `json.Unmarshal` into `interface{}` does: numbers become `float64`.
    public init(json: String) throws {
        var reader = JSONReader(json)
        self = try reader.readDocument()
    }

    /// Parses JSON bytes (see `init(json:)`).
    public init(jsonData: Data) throws {
        var reader = JSONReader(String(decoding: jsonData, as: UTF8.self))
        self = try reader.readDocument()
    }

    /// Go's type name (`%T`).
    public var goTypeName: String {
        switch self {
        case .nil: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float64"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .time: return "time.Time"
        case .object(let o): return o.goType
        case .function: return "func(...interface {}) (interface {}, error)"
        }
    }

    /// Go's `reflect.Kind` name (sprig `kindOf`).
    public var goKindName: String {
        switch self {
        case .nil: return "invalid"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float64"
        case .string: return "string"
        case .array: return "slice"
        case .map: return "map"
        case .time: return "struct"
        case .object(let o): return o.goType.hasPrefix("*") ? "ptr" : (o.goType.hasPrefix("[]") ? "slice" : "struct")
        case .function: return "func"
        }
    }

    /// Go's `text/template` truth: false, 0, nil, and empty strings, arrays and maps are false.
    public var isTrue: Bool {
        switch self {
        case .nil: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .map(let m): return !m.entries.isEmpty
        case .time, .object, .function: return true
        }
    }

    /// The string when this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
}

extension TemplateValue {
    /// True for Go's nil.
    var isNilValue: Bool { if case .nil = self { return true } else { return false } }
}
