import Crypto
import _CryptoExtras
import X509

import Foundation

/// A signing private key of one of the kinds step-ca uses.
///
/// Read one from a file with `PrivateKeyFile.read(pem:password:)`, from a JWK with
/// ``JWK/privateKeyMaterial()``, or make a new one with ``generate(_:)``.
public enum PrivateKeyMaterial: Sendable {
    /// An ECDSA P-256 key.
    case p256(P256.Signing.PrivateKey)
    /// An ECDSA P-384 key.
    case p384(P384.Signing.PrivateKey)
    /// An ECDSA P-521 key.
    case p521(P521.Signing.PrivateKey)
    /// An RSA key (2048 bits or more when read by this module).
    case rsa(_RSA.Signing.PrivateKey)
    /// An Ed25519 key.
    case ed25519(Curve25519.Signing.PrivateKey)

    /// The matching public key.
    public var publicKey: PublicKeyMaterial {
        switch self {
        case .p256(let key): return .p256(key.publicKey)
        case .p384(let key): return .p384(key.publicKey)
        case .p521(let key): return .p521(key.publicKey)
        case .rsa(let key): return .rsa(key.publicKey)
        case .ed25519(let key): return .ed25519(key.publicKey)
        }
    }

    /// The algorithm and size, e.g. ``KeyType/ecdsaP256``.
    public var keyType: KeyType {
        self.publicKey.keyType
    }

    /// The DER `SubjectPublicKeyInfo` of the public key.
    public var subjectPublicKeyInfoDER: Data {
        self.publicKey.subjectPublicKeyInfoDER
    }

    /// The key as a swift-certificates signing key, for issuing certificates and CSRs.
    public var certificatePrivateKey: Certificate.PrivateKey {
        switch self {
        case .p256(let key): return Certificate.PrivateKey(key)
        case .p384(let key): return Certificate.PrivateKey(key)
        case .p521(let key): return Certificate.PrivateKey(key)
        case .rsa(let key): return Certificate.PrivateKey(key)
        case .ed25519(let key): return Certificate.PrivateKey(key)
        }
    }

    /// Generates a new random key.
    ///
    /// RSA sizes below 2048 bits are refused with ``StepCryptoError/Code/unsupportedAlgorithm``.
    public static func generate(_ type: KeyType) throws -> PrivateKeyMaterial {
        switch type {
        case .ecdsaP256: return .p256(P256.Signing.PrivateKey())
        case .ecdsaP384: return .p384(P384.Signing.PrivateKey())
        case .ecdsaP521: return .p521(P521.Signing.PrivateKey())
        case .ed25519: return .ed25519(Curve25519.Signing.PrivateKey())
        case .rsa(let bits):
            guard bits >= 2048, bits <= 8192, bits % 8 == 0 else {
                throw StepCryptoError.unsupported("RSA \(bits) (sizes from 2048 to 8192 bits are supported)")
            }
            do {
                return .rsa(try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits)))
            } catch {
                throw StepCryptoError.unsupported("RSA \(bits): \(error)")
            }
        }
    }
}
