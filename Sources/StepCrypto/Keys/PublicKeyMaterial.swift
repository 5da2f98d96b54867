import Crypto
import _CryptoExtras
import SwiftASN1
import X509

import Foundation

/// A signature-verification public key of one of the kinds step-ca uses.
///
/// Two values are equal when their DER `SubjectPublicKeyInfo` encodings are equal.
public enum PublicKeyMaterial: Sendable {
    /// An ECDSA P-256 key.
    case p256(P256.Signing.PublicKey)
    /// An ECDSA P-384 key.
    case p384(P384.Signing.PublicKey)
    /// An ECDSA P-521 key.
    case p521(P521.Signing.PublicKey)
    /// An RSA key (2048 bits or more when read by this module).
    case rsa(_RSA.Signing.PublicKey)
    /// An Ed25519 key.
    case ed25519(Curve25519.Signing.PublicKey)

    /// The algorithm and size, e.g. ``KeyType/rsa(bits:)`` with 2048.
    public var keyType: KeyType {
        switch self {
        case .p256: return .ecdsaP256
        case .p384: return .ecdsaP384
        case .p521: return .ecdsaP521
        case .rsa(let key): return .rsa(bits: key.keySizeInBits)
        case .ed25519: return .ed25519
        }
    }

    /// The key as a swift-certificates public key.
    public var certificatePublicKey: Certificate.PublicKey {
        switch self {
        case .p256(let key): return Certificate.PublicKey(key)
        case .p384(let key): return Certificate.PublicKey(key)
        case .p521(let key): return Certificate.PublicKey(key)
        case .rsa(let key): return Certificate.PublicKey(key)
        case .ed25519(let key): return Certificate.PublicKey(key)
        }
    }

    /// The DER `SubjectPublicKeyInfo` (the body of a `PUBLIC KEY` PEM block).
    public var subjectPublicKeyInfoDER: Data {
        var serializer = DER.Serializer()
        // Serializing an in-memory SubjectPublicKeyInfo cannot fail.
        try? serializer.serialize(self.certificatePublicKey)
        return Data(serializer.serializedBytes)
    }

    /// The `PUBLIC KEY` PEM text of ``subjectPublicKeyInfoDER``.
    public var pemRepresentation: String {
        PEMBlock(type: "PUBLIC KEY", bytes: self.subjectPublicKeyInfoDER).encoded
    }

    /// Wraps a swift-certificates public key.
    ///
    /// - Throws: ``StepCryptoError/Code/unsupportedAlgorithm`` for key kinds not listed in this enum.
    public init(_ key: Certificate.PublicKey) throws {
        if let inner = P256.Signing.PublicKey(key) {
            self = .p256(inner)
        } else if let inner = P384.Signing.PublicKey(key) {
            self = .p384(inner)
        } else if let inner = P521.Signing.PublicKey(key) {
            self = .p521(inner)
        } else if let inner = _RSA.Signing.PublicKey(key) {
            self = .rsa(inner)
        } else if let inner = Curve25519.Signing.PublicKey(key) {
            self = .ed25519(inner)
        } else {
            throw StepCryptoError.unsupported("public key \(key)")
        }
    }

    /// Parses a DER `SubjectPublicKeyInfo`.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` for bad DER,
    ///   ``StepCryptoError/Code/unsupportedAlgorithm`` for other key algorithms.
    public init<Bytes: DataProtocol>(subjectPublicKeyInfoDER der: Bytes) throws {
        let key: Certificate.PublicKey
        do {
            key = try Certificate.PublicKey(derEncoded: Array(der))
        } catch let error as CertificateError where error.code == .unsupportedPublicKeyAlgorithm {
            throw StepCryptoError.unsupported("public key algorithm: \(error)")
        } catch {
            throw StepCryptoError.malformed("invalid SubjectPublicKeyInfo: \(error)")
        }
        try self.init(key)
    }

    /// Parses a `PUBLIC KEY` PEM block.
    public init(pem: String) throws {
        guard let block = try PEMBlock.parseAll(pem).first(where: { $0.type == "PUBLIC KEY" }) else {
            throw StepCryptoError.malformed("no PUBLIC KEY PEM block found")
        }
        try self.init(subjectPublicKeyInfoDER: block.bytes)
    }
}

extension PublicKeyMaterial {
    /// The subject public key of the first certificate in PEM text.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` if there is no parseable `CERTIFICATE`
    ///   block, ``StepCryptoError/Code/unsupportedAlgorithm`` for other key algorithms.
    public init(certificatePEM: String) throws {
        guard let block = try PEMBlock.parseAll(certificatePEM).first(where: { $0.type == "CERTIFICATE" }) else {
            throw StepCryptoError.malformed("no CERTIFICATE PEM block found")
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: Array(block.bytes))
        } catch {
            throw StepCryptoError.malformed("invalid certificate: \(error)")
        }
        try self.init(certificate.publicKey)
    }
}

extension PublicKeyMaterial: Hashable {
    /// Compares the DER `SubjectPublicKeyInfo` encodings.
    public static func == (lhs: PublicKeyMaterial, rhs: PublicKeyMaterial) -> Bool {
        lhs.subjectPublicKeyInfoDER == rhs.subjectPublicKeyInfoDER
    }

    /// Hashes the DER `SubjectPublicKeyInfo` encoding.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.subjectPublicKeyInfoDER)
    }
}
