import Crypto
import _CryptoExtras
import Foundation

/// A JWS signature algorithm (RFC 7518 §3, RFC 8037) this module signs and verifies with.
///
/// Only public-key algorithms exist here: `none` and the HMAC algorithms are never accepted
/// (see ``JWSError/Code/algorithmNone`` and ``JWSError/Code/symmetricAlgorithm``).
public enum JWSAlgorithm: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// ECDSA P-256 with SHA-256; signature is R‖S, 64 bytes.
    case es256 = "ES256"
    /// ECDSA P-384 with SHA-384; signature is R‖S, 96 bytes.
    case es384 = "ES384"
    /// ECDSA P-521 with SHA-512; signature is R‖S, 132 bytes.
    case es512 = "ES512"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    case rs384 = "RS384"
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    case rs512 = "RS512"
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt.
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384 and a 48-byte salt.
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt.
    case ps512 = "PS512"
    /// Ed25519 (RFC 8037); signature is 64 bytes.
    case edDSA = "EdDSA"

    /// The `alg` header value.
    public var description: String { self.rawValue }

    /// The smallest RSA modulus, in bits, accepted for signing and verifying.
    public static let minimumRSAModulusBits = 2048

    /// The algorithms a key can verify or produce: exactly one for EC (by curve) and Ed25519 keys,
    /// the six RSA algorithms for an RSA key.
    public static func algorithms(for key: PublicKeyMaterial) -> [JWSAlgorithm] {
        switch key {
        case .p256: return [.es256]
        case .p384: return [.es384]
        case .p521: return [.es512]
        case .rsa: return [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512]
        case .ed25519: return [.edDSA]
        }
    }

    /// The algorithm step uses for a key: `ES256`, `ES384`, `ES512`, `RS256` or `EdDSA`.
    public static func defaultAlgorithm(for key: PublicKeyMaterial) -> JWSAlgorithm {
        switch key {
        case .p256: return .es256
        case .p384: return .es384
        case .p521: return .es512
        case .rsa: return .rs256
        case .ed25519: return .edDSA
        }
    }

    /// Reads an `alg` header value.
    ///
    /// - Throws: ``JWSError/Code/algorithmNone`` for `none` (in any letter case),
    ///   ``JWSError/Code/symmetricAlgorithm`` for `HS256`, `HS384` and `HS512` (in any letter case),
    ///   ``JWSError/Code/unsupportedAlgorithm`` for anything else that is not exactly one of the cases.
    public init(headerValue name: String) throws {
        if let algorithm = JWSAlgorithm(rawValue: name) {
            self = algorithm
            return
        }
        let upper = name.uppercased()
        if upper == "NONE" {
            throw JWSError(code: .algorithmNone, reason: "unsigned tokens (alg \(OrderedJSONWriter.quoted(name))) are not accepted")
        }
        if upper == "HS256" || upper == "HS384" || upper == "HS512" {
            throw JWSError(
                code: .symmetricAlgorithm,
                reason: "HMAC algorithm \(OrderedJSONWriter.quoted(name)) is not accepted; tokens must be signed with a private key"
            )
        }
        throw JWSError(code: .unsupportedAlgorithm, reason: "unsupported signature algorithm \(OrderedJSONWriter.quoted(name))")
    }

    /// Checks that `key` is usable and can make or check signatures with this algorithm.
    func check(key: PublicKeyMaterial) throws {
        if case .rsa(let rsa) = key, rsa.keySizeInBits < Self.minimumRSAModulusBits {
            throw JWSError(
                code: .invalidKey,
                reason: "RSA keys must have at least \(Self.minimumRSAModulusBits) bits, this one has \(rsa.keySizeInBits)"
            )
        }
        guard Self.algorithms(for: key).contains(self) else {
            throw JWSError(
                code: .algorithmMismatch,
                reason: "algorithm \(self) cannot be used with a \(key.keyType) key (allowed: \(Self.algorithms(for: key).map(\.rawValue).joined(separator: ", ")))"
            )
        }
    }

    /// Whether `signature` is valid over `signingInput` with `key`. The caller has run ``check(key:)``.
    func isValidSignature(_ signature: Data, signingInput: Data, key: PublicKeyMaterial) throws -> Bool {
        switch (self, key) {
        case (.es256, .p256(let key)):
            try Self.checkLength(signature, 64)
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: signingInput)
        case (.es384, .p384(let key)):
            try Self.checkLength(signature, 96)
            guard let parsed = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: signingInput)
        case (.es512, .p521(let key)):
            try Self.checkLength(signature, 132)
            guard let parsed = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: signingInput)
        case (.rs256, .rsa(let key)), (.rs384, .rsa(let key)), (.rs512, .rsa(let key)),
            (.ps256, .rsa(let key)), (.ps384, .rsa(let key)), (.ps512, .rsa(let key)):
            try Self.checkLength(signature, (key.keySizeInBits + 7) / 8)
            let parsed = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let padding = self.rsaPadding
            switch self {
            case .rs384, .ps384:
                return key.isValidSignature(parsed, for: SHA384.hash(data: signingInput), padding: padding)
            case .rs512, .ps512:
                return key.isValidSignature(parsed, for: SHA512.hash(data: signingInput), padding: padding)
            default:
                return key.isValidSignature(parsed, for: SHA256.hash(data: signingInput), padding: padding)
            }
        case (.edDSA, .ed25519(let key)):
            try Self.checkLength(signature, 64)
            return key.isValidSignature(signature, for: signingInput)
        default:
            // ``check(key:)`` has already refused these pairs.
            throw JWSError(code: .algorithmMismatch, reason: "algorithm \(self) cannot be used with a \(key.keyType) key")
        }
    }

    /// Signs `signingInput` with `key`. The caller has run ``check(key:)`` on its public key.
    func signature(for signingInput: Data, key: PrivateKeyMaterial) throws -> Data {
        do {
            switch (self, key) {
            case (.es256, .p256(let key)):
                return try key.signature(for: signingInput).rawRepresentation
            case (.es384, .p384(let key)):
                return try key.signature(for: signingInput).rawRepresentation
            case (.es512, .p521(let key)):
                return try key.signature(for: signingInput).rawRepresentation
            case (.rs256, .rsa(let key)), (.rs384, .rsa(let key)), (.rs512, .rsa(let key)),
                (.ps256, .rsa(let key)), (.ps384, .rsa(let key)), (.ps512, .rsa(let key)):
                let padding = self.rsaPadding
                switch self {
                case .rs384, .ps384:
                    return try key.signature(for: SHA384.hash(data: signingInput), padding: padding).rawRepresentation
                case .rs512, .ps512:
                    return try key.signature(for: SHA512.hash(data: signingInput), padding: padding).rawRepresentation
                default:
                    return try key.signature(for: SHA256.hash(data: signingInput), padding: padding).rawRepresentation
                }
            case (.edDSA, .ed25519(let key)):
                return try key.signature(for: signingInput)
            default:
                throw JWSError(code: .algorithmMismatch, reason: "algorithm \(self) cannot be used with a \(key.keyType) key")
            }
        } catch let error as JWSError {
            throw error
        } catch {
            throw JWSError(code: .signingFailed, reason: "\(self) signing failed: \(error)")
        }
    }

    private var rsaPadding: _RSA.Signing.Padding {
        switch self {
        case .ps256, .ps384, .ps512: return .PSS
        default: return .insecurePKCS1v1_5
        }
    }

    private static func checkLength(_ signature: Data, _ expected: Int) throws {
        guard signature.count == expected else {
            throw JWSError(
                code: .invalidSignature,
                reason: "the signature is \(signature.count) bytes, \(expected) are expected for this algorithm and key"
            )
        }
    }
}
