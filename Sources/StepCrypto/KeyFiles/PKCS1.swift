import _CryptoExtras
import SwiftASN1

import Foundation

/// The parts of an RSA private key, as unsigned big-endian integers without leading zeros.
struct RSAComponents {
    var n: [UInt8]
    var e: [UInt8]
    var d: [UInt8]
    var p: [UInt8]
    var q: [UInt8]
    var dp: [UInt8]
    var dq: [UInt8]
    var qi: [UInt8]
}

/// PKCS #1 `RSAPrivateKey` (RFC 8017), the body of an `RSA PRIVATE KEY` PEM block.
enum PKCS1 {
    /// The smallest modulus accepted, in bits.
    static let minimumModulusBits = 2048

    /// Parses an `RSAPrivateKey` and builds the key.
    static func parsePrivateKey(_ der: [UInt8]) throws -> PrivateKeyMaterial {
        let components = try Self.parseComponents(der)
        try Self.checkModulusSize(components.n)
        do {
            return .rsa(try _RSA.Signing.PrivateKey(derRepresentation: der))
        } catch {
            throw StepCryptoError.inconsistent("RSA private key rejected: \(error)")
        }
    }

    /// Builds a key from its parts (OpenSSH and JWK carry them separately).
    static func privateKey(n: [UInt8], e: [UInt8], d: [UInt8], p: [UInt8], q: [UInt8]) throws -> PrivateKeyMaterial {
        try Self.checkModulusSize(n)
        do {
            return .rsa(try _RSA.Signing.PrivateKey(n: Data(n), e: Data(e), d: Data(d), p: Data(p), q: Data(q)))
        } catch {
            throw StepCryptoError.inconsistent("RSA private key rejected: \(error)")
        }
    }

    /// Reads the nine fields of an `RSAPrivateKey`.
    static func parseComponents(_ der: [UInt8]) throws -> RSAComponents {
        try decodingDER("RSA private key") {
            try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                guard version == 0 else {
                    throw StepCryptoError.unsupported("RSA private key version \(version) (multi-prime RSA)")
                }
                func next() throws -> [UInt8] {
                    trimmedUnsigned(try ArraySlice<UInt8>(derEncoded: &nodes))
                }
                return RSAComponents(
                    n: try next(), e: try next(), d: try next(), p: try next(),
                    q: try next(), dp: try next(), dq: try next(), qi: try next()
                )
            }
        }
    }

    static func checkModulusSize(_ n: [UInt8]) throws {
        let bits = n.first.map { n.count * 8 - $0.leadingZeroBitCount } ?? 0
        guard bits >= Self.minimumModulusBits else {
            throw StepCryptoError.unsupported("RSA \(bits) (at least \(Self.minimumModulusBits) bits are required)")
        }
        guard bits <= 16384 else {
            throw StepCryptoError.unsupported("RSA \(bits) (at most 16384 bits are supported)")
        }
    }
}

extension _RSA.Signing.PrivateKey {
    /// The private key's parts, read back from its PKCS #1 encoding.
    var components: RSAComponents {
        // BoringSSL always produces a valid two-prime RSAPrivateKey here.
        guard let components = try? PKCS1.parseComponents(Array(self.derRepresentation)) else {
            preconditionFailure("BoringSSL produced an unreadable RSAPrivateKey")
        }
        return components
    }
}
