/// An error thrown by the `StepCrypto` module.
///
/// Check ``code`` to decide what to do; ``reason`` is a human-readable detail
/// (for example the name of an unsupported algorithm) and may change between releases.
///
/// Equality and hashing consider only ``code``, so a test can write
/// `#expect(throws: StepCryptoError(code: .wrongPassword))`.
public struct StepCryptoError: Error, Hashable, Sendable, CustomStringConvertible {
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

    /// `StepCryptoError.<code>: <reason> (<file>:<line>)`.
    public var description: String {
        let detail = self.reason.isEmpty ? "" : ": \(self.reason)"
        return "StepCryptoError.\(self.code)\(detail) (\(self.file):\(self.line))"
    }

    /// Compares ``code`` only.
    public static func == (lhs: StepCryptoError, rhs: StepCryptoError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes ``code`` only.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }
}

extension StepCryptoError {
    /// The kind of a ``StepCryptoError``. Its ``rawValue`` is a stable identifier.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case malformedInput = "malformed-input"
            case passwordRequired = "password-required"
            case wrongPassword = "wrong-password"
            case unsupportedAlgorithm = "unsupported-algorithm"
            case parameterOutOfRange = "parameter-out-of-range"
            case inconsistentKey = "inconsistent-key"
        }

        private let backing: Backing

        private init(_ backing: Backing) {
            self.backing = backing
        }

        /// The stable identifier of this code, such as `"wrong-password"`.
        public var rawValue: String { self.backing.rawValue }

        /// The same as ``rawValue``.
        public var description: String { self.backing.rawValue }

        /// The input is not what it claims to be: not PEM, bad base64, bad DER,
        /// truncated data, an unknown PEM block type, invalid JSON.
        public static let malformedInput = Code(.malformedInput)

        /// The input is encrypted and no password was given.
        public static let passwordRequired = Code(.passwordRequired)

        /// Decryption failed its integrity check (bad padding, bad MAC, check-int
        /// mismatch, key wrap failure): almost always a wrong password.
        public static let wrongPassword = Code(.wrongPassword)

        /// The input uses an algorithm, curve, cipher or key size this module does not implement.
        /// The ``StepCryptoError/reason`` names it.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)

        /// A numeric parameter (such as an iteration count) is outside the accepted range;
        /// this guards against inputs built to consume unbounded CPU or memory.
        public static let parameterOutOfRange = Code(.parameterOutOfRange)

        /// The key's parts do not agree, e.g. a stored public key that does not match its private key.
        public static let inconsistentKey = Code(.inconsistentKey)
    }
}

extension StepCryptoError {
    static func malformed(_ reason: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .malformedInput, reason: reason, file: file, line: line)
    }

    static func passwordRequired(_ what: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .passwordRequired, reason: "\(what) is encrypted and no password was given", file: file, line: line)
    }

    static func wrongPassword(_ detail: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .wrongPassword, reason: "wrong password (\(detail))", file: file, line: line)
    }

    static func unsupported(_ algorithm: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .unsupportedAlgorithm, reason: "unsupported algorithm: \(algorithm)", file: file, line: line)
    }

    static func outOfRange(_ reason: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .parameterOutOfRange, reason: reason, file: file, line: line)
    }

    static func inconsistent(_ reason: String, file: String = #fileID, line: UInt = #line) -> StepCryptoError {
        StepCryptoError(code: .inconsistentKey, reason: reason, file: file, line: line)
    }
}
