/// Why a string is not a Go duration.
public struct GoDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code, e.g. `invalid-duration`.
        public let rawValue: String
        /// Wraps a code's text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// Not of the form `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` (or `"0"`).
        public static let invalidSyntax = Code(rawValue: "invalid-syntax")
        /// A number without a unit, such as `"1"` or `"5h3"`.
        public static let missingUnit = Code(rawValue: "missing-unit")
        /// A unit other than ns, us, µs, ms, s, m, h.
        public static let unknownUnit = Code(rawValue: "unknown-unit")
        /// Longer than about 292 years, the limit of a signed 64-bit nanosecond count.
        public static let outOfRange = Code(rawValue: "out-of-range")
    }

    /// What is wrong.
    public var code: Code
    /// The string that was parsed.
    public var input: String
    /// For ``Code/unknownUnit``: the unit as written.
    public var unit: String?

    /// Makes an error.
    public init(code: Code, input: String, unit: String? = nil) {
        self.code = code
        self.input = input
        self.unit = unit
    }

    /// The detail after the colon: `unknown unit "x"`.
    public var detail: String {
        switch code {
        case .missingUnit: return "missing unit"
        case .unknownUnit: return "unknown unit \(GoQuote.quote(unit ?? ""))"
        case .outOfRange: return "out of range"
        default: return "expected a number followed by a unit (ns, us, µs, ms, s, m, h)"
        }
    }

    /// `invalid duration "1x": unknown unit "x"`
    public var description: String {
        "invalid duration \(GoQuote.quote(input)): \(detail)"
    }
}
