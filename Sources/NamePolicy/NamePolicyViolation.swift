/// Why a policy refused a certificate: the first offending name, in step-ca's words.
///
/// Only ``Code-swift.struct/notAllowed`` is a policy decision step-ca answers with 403; the other
/// codes are names the policy could not evaluate (step-ca answers those with a 500).
public struct NamePolicyViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of refusal; never renamed or reused.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code.
        public let rawValue: String
        /// Wraps a code's text.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// A name is denied, or not allowed by the allow rules.
        public static let notAllowed = Code(rawValue: "not-allowed")
        /// A DNS name (or the domain of an email address) cannot be parsed.
        public static let cannotParseDomain = Code(rawValue: "cannot-parse-domain")
        /// An email address is not an RFC 2821 mailbox.
        public static let cannotParseRFC822Name = Code(rawValue: "cannot-parse-rfc822-name")
        /// A name could not be compared with a rule (a URI with an IP or empty host, ...).
        public static let cannotMatchNameToConstraint = Code(rawValue: "cannot-match-name-to-constraint")
        /// An SSH principal of a kind the certificate type cannot carry (a URI, or an IP in a user certificate).
        public static let unexpectedPrincipal = Code(rawValue: "unexpected-principal")
        /// The policy has rules for the other SSH certificate type only, so this type is refused.
        public static let certificateTypeNotAllowed = Code(rawValue: "certificate-type-not-allowed")
    }

    /// What kind of refusal this is.
    public var code: Code
    /// The type word of the offending name; `nil` for refusals of a whole certificate type.
    public var nameType: NameType?
    /// The offending name as step-ca prints it (IPs in Go's canonical form).
    public var name: String
    /// step-ca's message, e.g. `dns name "x.example.org" not allowed`.
    public var message: String
    /// The longer explanation step-ca logs, e.g. `dns "x.example.org" is excluded by constraint ".example.org"`.
    public var detail: String

    /// Makes a violation.
    public init(code: Code, nameType: NameType?, name: String, message: String, detail: String) {
        self.code = code
        self.nameType = nameType
        self.name = name
        self.message = message
        self.detail = detail
    }

    /// Whether step-ca answers this with 403 and the message (otherwise it is an internal error).
    public var isForbidden: Bool { code == .notAllowed }

    /// ``message``.
    public var description: String { message }

    static func make(_ code: Code, _ type: NameType, _ name: String, detail: String) -> NamePolicyViolation {
        let quoted = GoQuote.quote(name)
        let message: String
        switch code {
        case .notAllowed: message = "\(type.rawValue) name \(quoted) not allowed"
        case .cannotParseDomain: message = "cannot parse \(type.rawValue) domain \(quoted)"
        case .cannotParseRFC822Name: message = "cannot parse \(type.rawValue) rfc822Name \(quoted)"
        case .cannotMatchNameToConstraint: message = "error matching \(type.rawValue) name \(quoted) to constraint"
        default: message = detail
        }
        return NamePolicyViolation(code: code, nameType: type, name: name, message: message, detail: detail)
    }

    /// The same refusal reported for the subject common name (step-ca reports a CN checked as a
    /// SAN with the type word `cn`).
    func asCommonName() -> NamePolicyViolation {
        guard nameType != nil else { return self }
        var copy = NamePolicyViolation.make(code, .cn, name, detail: detail)
        copy.detail = detail
        return copy
    }
}
