/// An error thrown while parsing, verifying or signing a JWS/JWT, or validating its claims.
///
/// Check ``code`` to decide what to do; ``reason`` is a human-readable detail and may change
/// between releases. Equality and hashing consider only ``code``, so a test can write
/// `#expect(throws: JWSError(code: .algorithmNone))`.
///
/// Every code means the token must not be trusted. The distinctions exist for logs, metrics and
/// tests, not for deciding whether to accept a token; a server should answer all of them the same way.
public struct JWSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. Codes are stable; new codes may be added.
    public var code: Code

    /// A detailed, human-readable explanation.
    public var reason: String

    /// The file that created the error, for diagnostics.
    public var file: String
    /// The line that created the error, for diagnostics.
    public var line: UInt

    /// Creates an error with a code and an explanation.
    public init(code: Code, reason: String = "", file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    /// `JWSError.<code>: <reason> (<file>:<line>)`.
    public var description: String {
        let detail = self.reason.isEmpty ? "" : ": \(self.reason)"
        return "JWSError.\(self.code)\(detail) (\(self.file):\(self.line))"
    }

    /// Compares ``code`` only.
    public static func == (lhs: JWSError, rhs: JWSError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes ``code`` only.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }
}

extension JWSError {
    /// The kind of a ``JWSError``. Its ``rawValue`` is a stable identifier.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case malformedToken = "malformed-token"
            case encryptedToken = "encrypted-token"
            case tokenTooLarge = "token-too-large"
            case criticalHeader = "critical-header"
            case algorithmNone = "algorithm-none"
            case symmetricAlgorithm = "symmetric-algorithm"
            case unsupportedAlgorithm = "unsupported-algorithm"
            case algorithmMismatch = "algorithm-mismatch"
            case invalidKey = "invalid-key"
            case invalidSignature = "invalid-signature"
            case malformedClaims = "malformed-claims"
            case notYetValid = "token-not-yet-valid"
            case expired = "token-expired"
            case issuedInFuture = "token-issued-in-future"
            case invalidArgument = "invalid-argument"
            case signingFailed = "signing-failed"
        }

        private let backing: Backing

        private init(_ backing: Backing) {
            self.backing = backing
        }

        /// The stable identifier of this code, such as `"algorithm-none"`.
        public var rawValue: String { self.backing.rawValue }

        /// The same as ``rawValue``.
        public var description: String { self.backing.rawValue }

        /// The token is not a well-formed compact JWS: wrong number of segments, bad base64url,
        /// a header that is not a JSON object, a header member of the wrong type, an empty signature.
        public static let malformedToken = Code(.malformedToken)

        /// The token is a compact JWE (five segments); encrypted tokens are not accepted.
        public static let encryptedToken = Code(.encryptedToken)

        /// The token is longer than ``JWS/maximumTokenLength``.
        public static let tokenTooLarge = Code(.tokenTooLarge)

        /// The header has a `crit` member; no critical extensions are understood.
        public static let criticalHeader = Code(.criticalHeader)

        /// The header names the `none` algorithm (an unsigned token).
        public static let algorithmNone = Code(.algorithmNone)

        /// The header names an HMAC algorithm (`HS256`, `HS384`, `HS512`); only public-key
        /// signatures are accepted, which rules out the "public key as HMAC secret" confusion.
        public static let symmetricAlgorithm = Code(.symmetricAlgorithm)

        /// The header names an algorithm this module does not implement.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)

        /// The header's algorithm is not one the verification key can use (for example `ES384` with a
        /// P-256 key, or `RS256` with an EC key), or differs from the JWK's own `alg`; or a signer was
        /// asked for an algorithm its key cannot produce.
        public static let algorithmMismatch = Code(.algorithmMismatch)

        /// The key cannot be used: an RSA modulus under 2048 bits, a JWK that does not convert to a
        /// key, or a JWK whose `use` is not `sig`.
        public static let invalidKey = Code(.invalidKey)

        /// The signature does not verify, or has the wrong length or encoding for the algorithm.
        public static let invalidSignature = Code(.invalidSignature)

        /// The payload is not a JSON object, or a registered claim has the wrong type.
        public static let malformedClaims = Code(.malformedClaims)

        /// `nbf` is later than the validation time plus the leeway.
        public static let notYetValid = Code(.notYetValid)

        /// `exp` is earlier than the validation time minus the leeway.
        public static let expired = Code(.expired)

        /// `iat` is later than the validation time plus the leeway.
        public static let issuedInFuture = Code(.issuedInFuture)

        /// A caller passed something that cannot be encoded: a reserved or repeated header member,
        /// a private claim that repeats a registered claim, or a number that is not finite.
        public static let invalidArgument = Code(.invalidArgument)

        /// The underlying signature primitive failed.
        public static let signingFailed = Code(.signingFailed)
    }
}

extension JWSError {
    static func malformed(_ reason: String, file: String = #fileID, line: UInt = #line) -> JWSError {
        JWSError(code: .malformedToken, reason: reason, file: file, line: line)
    }

    static func malformedClaims(_ reason: String, file: String = #fileID, line: UInt = #line) -> JWSError {
        JWSError(code: .malformedClaims, reason: reason, file: file, line: line)
    }

    static func invalidArgument(_ reason: String, file: String = #fileID, line: UInt = #line) -> JWSError {
        JWSError(code: .invalidArgument, reason: reason, file: file, line: line)
    }
}
