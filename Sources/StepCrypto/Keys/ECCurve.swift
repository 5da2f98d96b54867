import Crypto
import SwiftASN1

import Foundation

/// The NIST curves supported for ECDSA keys, with their names in each encoding.
enum ECCurve: CaseIterable {
    case p256, p384, p521

    /// The named-curve OID used in SEC1, PKCS #8 and SPKI.
    var oid: ASN1ObjectIdentifier {
        switch self {
        case .p256: return OID.prime256v1
        case .p384: return OID.secp384r1
        case .p521: return OID.secp521r1
        }
    }

    /// The JWK `crv` name.
    var jwkName: String {
        switch self {
        case .p256: return "P-256"
        case .p384: return "P-384"
        case .p521: return "P-521"
        }
    }

    /// The JWS algorithm conventionally paired with the curve.
    var jwsAlgorithm: String {
        switch self {
        case .p256: return "ES256"
        case .p384: return "ES384"
        case .p521: return "ES512"
        }
    }

    /// The OpenSSH curve identifier (`nistp256`).
    var sshName: String {
        switch self {
        case .p256: return "nistp256"
        case .p384: return "nistp384"
        case .p521: return "nistp521"
        }
    }

    /// The size in bytes of a field element or private scalar.
    var byteCount: Int {
        switch self {
        case .p256: return 32
        case .p384: return 48
        case .p521: return 66
        }
    }

    init?(oid: ASN1ObjectIdentifier) {
        guard let curve = Self.allCases.first(where: { $0.oid == oid }) else { return nil }
        self = curve
    }

    init?(jwkName: String) {
        guard let curve = Self.allCases.first(where: { $0.jwkName == jwkName }) else { return nil }
        self = curve
    }

    init?(sshName: String) {
        guard let curve = Self.allCases.first(where: { $0.sshName == sshName }) else { return nil }
        self = curve
    }

    /// Builds a private key from a big-endian scalar, left-padding it to the curve size.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` if the scalar is too long or not a valid key.
    func privateKey<Bytes: Collection>(scalar: Bytes) throws -> PrivateKeyMaterial where Bytes.Element == UInt8 {
        guard let raw = fixedWidthUnsigned(scalar, length: self.byteCount) else {
            throw StepCryptoError.malformed("EC private key is longer than the \(self.jwkName) scalar size")
        }
        do {
            switch self {
            case .p256: return .p256(try P256.Signing.PrivateKey(rawRepresentation: raw))
            case .p384: return .p384(try P384.Signing.PrivateKey(rawRepresentation: raw))
            case .p521: return .p521(try P521.Signing.PrivateKey(rawRepresentation: raw))
            }
        } catch {
            throw StepCryptoError.malformed("invalid \(self.jwkName) private key: \(error)")
        }
    }

    /// Builds a public key from an uncompressed (`04 || X || Y`) or compressed SEC1 point.
    func publicKey(sec1Point point: [UInt8]) throws -> PublicKeyMaterial {
        let compressed = point.first == 2 || point.first == 3
        do {
            switch self {
            case .p256:
                return .p256(compressed ? try P256.Signing.PublicKey(compressedRepresentation: point) : try P256.Signing.PublicKey(x963Representation: point))
            case .p384:
                return .p384(compressed ? try P384.Signing.PublicKey(compressedRepresentation: point) : try P384.Signing.PublicKey(x963Representation: point))
            case .p521:
                return .p521(compressed ? try P521.Signing.PublicKey(compressedRepresentation: point) : try P521.Signing.PublicKey(x963Representation: point))
            }
        } catch {
            throw StepCryptoError.malformed("invalid \(self.jwkName) public point: \(error)")
        }
    }
}

extension PrivateKeyMaterial {
    /// The curve and big-endian private scalar (padded to the curve size) of an ECDSA key.
    var ecScalar: (curve: ECCurve, scalar: [UInt8])? {
        switch self {
        case .p256(let key): return (.p256, Array(key.rawRepresentation))
        case .p384(let key): return (.p384, Array(key.rawRepresentation))
        case .p521(let key): return (.p521, Array(key.rawRepresentation))
        case .rsa, .ed25519: return nil
        }
    }
}

extension PublicKeyMaterial {
    /// The curve and uncompressed SEC1 point (`04 || X || Y`) of an ECDSA key.
    var ecPoint: (curve: ECCurve, x963: [UInt8])? {
        switch self {
        case .p256(let key): return (.p256, Array(key.x963Representation))
        case .p384(let key): return (.p384, Array(key.x963Representation))
        case .p521(let key): return (.p521, Array(key.x963Representation))
        case .rsa, .ed25519: return nil
        }
    }
}
