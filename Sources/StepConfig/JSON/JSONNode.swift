/// A parsed JSON value that remembers where it came from, so that messages can
/// point at it and its exact source text can be handed on verbatim.
public struct JSONNode: Sendable {
    /// The kind of value and its content.
    public enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number exactly as written, converted on demand.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    public var value: Value
    /// Byte offset of the first byte of the value in the source.
    public var start: Int
    /// Byte offset one past the last byte of the value.
    public var end: Int

    /// Whether the value is JSON `null`.
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// How Go's encoding/json names the kind of a value in its messages.
    public var kindName: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One `"key": value` pair of an object, in file order.
public struct JSONMember: Sendable {
    /// The key, unescaped.
    public var key: String
    /// Byte offset of the key's opening quote.
    public var keyOffset: Int
    /// The value.
    public var value: JSONNode
}
