import Crypto
import _CryptoExtras
import Foundation
@testable import Host

/// A public key exported by a KMS plugin, parsed with swift-crypto, that checks signatures
/// independently of the plugin.
enum KMSVerifyingKey {
    case p256(P256.Signing.PublicKey)
    case p384(P384.Signing.PublicKey)
    case p521(P521.Signing.PublicKey)
    case rsa(_RSA.Signing.PublicKey)

    /// Parses a DER SubjectPublicKeyInfo.
    init(spki: [UInt8]) throws {
        if let key = try? P256.Signing.PublicKey(derRepresentation: spki) { self = .p256(key) }
        else if let key = try? P384.Signing.PublicKey(derRepresentation: spki) { self = .p384(key) }
        else if let key = try? P521.Signing.PublicKey(derRepresentation: spki) { self = .p521(key) }
        else if let key = try? _RSA.Signing.PublicKey(derRepresentation: spki) { self = .rsa(key) }
        else { throw TestSetupError("not a P-256, P-384, P-521 or RSA SubjectPublicKeyInfo (\(spki.count) bytes)") }
    }

    /// The key type and size, for messages and comparisons: "P-256", "RSA-2048".
    var kind: String {
        switch self {
        case .p256: return "P-256"
        case .p384: return "P-384"
        case .p521: return "P-521"
        case .rsa(let key): return "RSA-\(key.keySizeInBits)"
        }
    }

    /// The algorithms a key of this type signs with.
    var algorithms: [KMSSignatureAlgorithm] {
        switch self {
        case .p256, .p384, .p521: return [.ecdsaSHA256, .ecdsaSHA384]
        case .rsa: return [.rsaPKCS1SHA256, .rsaPSSSHA256]
        }
    }

    /// Whether `signature` (DER for ECDSA) is `algorithm`'s signature of `message`.
    func verifies(_ signature: [UInt8], message: [UInt8], algorithm: KMSSignatureAlgorithm) -> Bool {
        switch algorithm.digestLength {
        case 32: return verifies(signature, digest: SHA256.hash(data: message), algorithm: algorithm)
        case 48: return verifies(signature, digest: SHA384.hash(data: message), algorithm: algorithm)
        case 64: return verifies(signature, digest: SHA512.hash(data: message), algorithm: algorithm)
        default: return false
        }
    }

    private func verifies<D: Digest>(_ signature: [UInt8], digest: D, algorithm: KMSSignatureAlgorithm) -> Bool {
        switch self {
        case .p256(let key):
            guard algorithm.isECDSA, let s = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(s, for: digest)
        case .p384(let key):
            guard algorithm.isECDSA, let s = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(s, for: digest)
        case .p521(let key):
            guard algorithm.isECDSA, let s = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(s, for: digest)
        case .rsa(let key):
            guard algorithm.isRSA else { return false }
            let pss = [.rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512].contains(algorithm)
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest,
                                        padding: pss ? .PSS : .insecurePKCS1v1_5)
        }
    }
}

/// The digest of `message` for `algorithm`, as the host hands it to a plugin.
func kmsDigest(_ message: [UInt8], for algorithm: KMSSignatureAlgorithm) -> [UInt8] {
    switch algorithm.digestLength {
    case 32: return Array(SHA256.hash(data: message))
    case 48: return Array(SHA384.hash(data: message))
    case 64: return Array(SHA512.hash(data: message))
    default: return message
    }
}

/// Signs `message` through the host adapter and checks the signature with swift-crypto.
func signAndVerify(_ kms: KeyManagerPlugin, key: String, with verifier: KMSVerifyingKey,
                   algorithm: KMSSignatureAlgorithm, message: [UInt8] = randomBytes(100)) async throws -> Bool {
    let signature = try await kms.sign(key: key, algorithm: algorithm, digest: kmsDigest(message, for: algorithm))
    return verifier.verifies(signature, message: message, algorithm: algorithm)
}
