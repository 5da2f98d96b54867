import Crypto
import _CryptoExtras

/// Conversions between Key Vault's key and signature formats and the ABI's (DER).
enum PublicKeys {
    /// The DER SubjectPublicKeyInfo of a JSON web key (EC P-256/P-384/P-521 or RSA).
    static func spki(of jwk: KeyVaultAPI.JSONWebKey) throws -> [UInt8] {
        let kty = jwk.kty ?? ""
        if kty == "EC" || kty == "EC-HSM" {
            guard let crv = jwk.crv, let x = jwk.x.flatMap(Base64URL.decode), let y = jwk.y.flatMap(Base64URL.decode) else {
                throw KeyProblem("the EC key lacks crv, x or y")
            }
            guard let size = coordinateSize(crv), x.count <= size, y.count <= size else {
                throw KeyProblem("unsupported curve \(crv) or coordinates of the wrong size")
            }
            let point = [0x04] + padded(x, size) + padded(y, size)
            do {
                switch crv {
                case "P-256": return Array(try P256.Signing.PublicKey(x963Representation: point).derRepresentation)
                case "P-384": return Array(try P384.Signing.PublicKey(x963Representation: point).derRepresentation)
                default: return Array(try P521.Signing.PublicKey(x963Representation: point).derRepresentation)
                }
            } catch {
                throw KeyProblem("the \(crv) point is not on the curve")
            }
        }
        if kty == "RSA" || kty == "RSA-HSM" {
            guard let n = jwk.n.flatMap(Base64URL.decode), let e = jwk.e.flatMap(Base64URL.decode) else {
                throw KeyProblem("the RSA key lacks n or e")
            }
            do {
                return Array(try _RSA.Signing.PublicKey(n: n, e: e).derRepresentation)
            } catch {
                throw KeyProblem("the RSA key is unusable: \(error)")
            }
        }
        throw KeyProblem("key type \"\(kty)\" cannot sign")
    }

    /// The byte size of a curve's coordinates.
    static func coordinateSize(_ curve: String) -> Int? {
        switch curve {
        case "P-256": return 32
        case "P-384": return 48
        case "P-521": return 66
        default: return nil
        }
    }

    /// A raw `r‖s` ECDSA signature as DER.
    static func derSignature(raw: [UInt8], curve: String) throws -> [UInt8] {
        guard let size = coordinateSize(curve), raw.count == 2 * size else {
            throw KeyProblem("the ECDSA signature has \(raw.count) bytes, not 2×\(coordinateSize(curve) ?? 0)")
        }
        switch curve {
        case "P-256": return Array(try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        case "P-384": return Array(try P384.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        default: return Array(try P521.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation)
        }
    }

    private static func padded(_ bytes: [UInt8], _ size: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: size - bytes.count) + bytes
    }

    struct KeyProblem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
