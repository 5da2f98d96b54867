/// A problem that stops a ca.json from being used.
///
/// The message names the file and the JSON path of the offending value:
/// `config/ca.json: authority.provisioners[0].claims.maxTLSCertDuration: invalid duration "1x": unknown unit "x"`.
/// When a file has several problems, the first is thrown and the rest are in
/// ``additionalErrors``.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of problem; never renamed or reused.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code, e.g. `invalid-duration`.
        public let rawValue: String
        /// Wraps a code's text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The file could not be read.
        public static let unreadableFile = Code(rawValue: "unreadable-file")
        /// The file is not valid JSON; ``ConfigError/line`` and ``ConfigError/column`` say where.
        public static let invalidJSON = Code(rawValue: "invalid-json")
        /// A value has the wrong JSON type (a number where a string belongs, ...).
        public static let typeMismatch = Code(rawValue: "type-mismatch")
        /// A required value is absent or empty.
        public static let missingValue = Code(rawValue: "missing-value")
        /// A value has the right type but is not acceptable.
        public static let invalidValue = Code(rawValue: "invalid-value")
        /// A duration string is not a Go duration.
        public static let invalidDuration = Code(rawValue: "invalid-duration")
        /// Claims break the min ≤ default ≤ max or positivity rules.
        public static let invalidClaims = Code(rawValue: "invalid-claims")
        /// Two provisioners share a name or a token identifier.
        public static let duplicateProvisioner = Code(rawValue: "duplicate-provisioner")
        /// Settings that cannot be combined.
        public static let conflict = Code(rawValue: "conflict")
    }

    /// What kind of problem this is.
    public var code: Code
    /// The file as named in messages (for example `config/ca.json`).
    public var file: String
    /// Where in the document the problem is; ``JSONPath/root`` for whole-file problems.
    public var path: JSONPath
    /// The message without file and path.
    public var reason: String
    /// 1-based line of the offending value, when known.
    public var line: Int?
    /// 1-based column of the offending value, when known.
    public var column: Int?
    /// Further problems found in the same file, in document order.
    public var additionalErrors: [ConfigError]
    /// Warnings found in the same file (set on the thrown error only), so that
    /// hints such as misspelt keys are not lost when loading fails.
    public var warnings: [ConfigWarning] = []

    /// Makes an error.
    public init(code: Code, file: String, path: JSONPath, reason: String,
                line: Int? = nil, column: Int? = nil, additionalErrors: [ConfigError] = []) {
        self.code = code
        self.file = file
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
        self.additionalErrors = additionalErrors
    }

    /// This error and the additional ones, flattened.
    public var allErrors: [ConfigError] {
        var first = self
        first.additionalErrors = []
        return [first] + additionalErrors.flatMap(\.allErrors)
    }

    /// One line: `file: path: reason`, or `file:line:column: reason` for JSON syntax errors.
    public var message: String {
        if code == .invalidJSON, let line, let column {
            return "\(file):\(line):\(column): \(reason)"
        }
        if path.isRoot { return "\(file): \(reason)" }
        return "\(file): \(path): \(reason)"
    }

    /// ``message`` of this error followed by the additional ones, one per line.
    public var description: String {
        ([message] + additionalErrors.map(\.description)).joined(separator: "\n")
    }
}
