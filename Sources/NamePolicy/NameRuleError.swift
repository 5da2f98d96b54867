/// A rule value that cannot be used, naming the list, the position and why.
///
/// `description`: `allow.dns[1] "*.*.example.com": wildcard only as the leading label`.
public struct NameRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the list sits (`allow`, `deny`, `user.allow`, `host.deny`).
    public var scope: String
    /// Which list.
    public var kind: NameRuleKind
    /// The position of the value in its list.
    public var index: Int
    /// The value as configured.
    public var value: String
    /// Why it cannot be used.
    public var reason: String

    /// Makes an error.
    public init(scope: String, kind: NameRuleKind, index: Int, value: String, reason: String) {
        self.scope = scope
        self.kind = kind
        self.index = index
        self.value = value
        self.reason = reason
    }

    /// `scope.kind[index]`, the path of the value below the policy block.
    public var path: String { "\(scope).\(kind.rawValue)[\(index)]" }

    /// `path "value": reason`.
    public var description: String { "\(path) \(GoQuote.quote(value)): \(reason)" }
}

/// Why one rule value is unusable (the reason of a ``NameRuleError``).
public struct NameRuleProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the value cannot be used.
    public var reason: String
    /// Makes a problem.
    public init(_ reason: String) { self.reason = reason }
    /// ``reason``.
    public var description: String { reason }
}
