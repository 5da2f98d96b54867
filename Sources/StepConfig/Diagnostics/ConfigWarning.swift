/// Something in ca.json that step-ca would accept or skip but that is probably
/// a mistake: an unknown key, an unknown provisioner type, a provisioner that
/// would start uninitialized.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of warning; never renamed or reused.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code, e.g. `invalid-duration`.
        public let rawValue: String
        /// Wraps a code's text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// A key that no version of step-ca reads at this place; it is ignored.
        public static let unknownKey = Code(rawValue: "unknown-key")
        /// A known key spelled with different letter case; Go accepts it, so it is used.
        public static let keyCaseMismatch = Code(rawValue: "key-case-mismatch")
        /// The same key twice in one object; the last value is used, as in Go.
        public static let duplicateKey = Code(rawValue: "duplicate-key")
        /// A provisioner type step-ca does not know; the provisioner is skipped.
        public static let unknownProvisionerType = Code(rawValue: "unknown-provisioner-type")
        /// A provisioner step-ca would keep but mark "Uninitialized" (its tokens get 401).
        public static let provisionerUninitialized = Code(rawValue: "provisioner-uninitialized")
        /// Text after the JSON document; step-ca's decoder ignores it.
        public static let trailingContent = Code(rawValue: "trailing-content")
    }

    /// What kind of warning this is.
    public var code: Code
    /// The file as named in messages.
    public var file: String
    /// Where in the document the warning applies.
    public var path: JSONPath
    /// The message without file and path.
    public var reason: String
    /// For unknown keys: the closest known key, when one is close enough.
    public var suggestion: String?
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?

    /// Makes a warning.
    public init(code: Code, file: String, path: JSONPath, reason: String,
                suggestion: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.file = file
        self.path = path
        self.reason = reason
        self.suggestion = suggestion
        self.line = line
        self.column = column
    }

    /// `config/ca.json: authority.provisoners: unknown key; did you mean "provisioners"?`
    public var description: String {
        path.isRoot ? "\(file): \(reason)" : "\(file): \(path): \(reason)"
    }
}
