import Crypto
import SwiftASN1

/// PKCS #8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5208, RFC 5958), the body of a
/// `PRIVATE KEY` PEM block.
enum PKCS8 {
    /// Parses a `PrivateKeyInfo` holding an EC, RSA or Ed25519 key.
    static func parsePrivateKey(_ der: [UInt8]) throws -> PrivateKeyMaterial {
        let (algorithm, privateKey) = try decodingDER("PKCS #8 private key") {
            try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes -> (AlgorithmIdentifierNode, ASN1OctetString) in
                let version = try Int(derEncoded: &nodes)
                guard version == 0 || version == 1 else {
                    throw StepCryptoError.malformed("PKCS #8 private key has version \(version)")
                }
                guard let algorithmNode = nodes.next() else {
                    throw StepCryptoError.malformed("PKCS #8 private key has no algorithm")
                }
                let algorithm = try AlgorithmIdentifierNode(derEncoded: algorithmNode)
                let privateKey = try ASN1OctetString(derEncoded: &nodes)
                nodes.skipRemaining()  // attributes [0], publicKey [1]
                return (algorithm, privateKey)
            }
        }
        let inner = Array(privateKey.bytes)

        switch algorithm.algorithm {
        case OID.ecPublicKey:
            guard let parameters = algorithm.parameters, parameters.identifier == .objectIdentifier else {
                throw StepCryptoError.unsupported("EC key without a named curve")
            }
            let oid = try decodingDER("EC algorithm parameters") { try ASN1ObjectIdentifier(derEncoded: parameters) }
            guard let curve = ECCurve(oid: oid) else {
                throw StepCryptoError.unsupported("elliptic curve \(OID.name(oid))")
            }
            return try SEC1.parsePrivateKey(inner, outerCurve: curve)

        case OID.rsaEncryption:
            return try PKCS1.parsePrivateKey(inner)

        case OID.ed25519:
            let seed = try decodingDER("Ed25519 private key") { try ASN1OctetString(derEncoded: try DER.parse(inner)) }
            guard seed.bytes.count == 32 else {
                throw StepCryptoError.malformed("Ed25519 private key is \(seed.bytes.count) bytes, expected 32")
            }
            do {
                return .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: seed.bytes))
            } catch {
                throw StepCryptoError.malformed("invalid Ed25519 private key: \(error)")
            }

        default:
            throw StepCryptoError.unsupported("private key algorithm \(OID.name(algorithm.algorithm))")
        }
    }

    /// Serializes a `PrivateKeyInfo` (version 0) the way Go's `x509.MarshalPKCS8PrivateKey` does.
    static func serialize(_ key: PrivateKeyMaterial) -> [UInt8] {
        let algorithm: ASN1ObjectIdentifier
        var parameters: ASN1ObjectIdentifier? = nil
        var nullParameters = false
        let inner: [UInt8]
        switch key {
        case .p256, .p384, .p521:
            guard let (curve, _) = key.ecScalar, let sec1 = key.sec1DER(includeCurve: false) else {
                preconditionFailure("an ECDSA key has a curve and a SEC 1 encoding")
            }
            algorithm = OID.ecPublicKey
            parameters = curve.oid
            inner = sec1
        case .rsa(let rsa):
            algorithm = OID.rsaEncryption
            nullParameters = true
            inner = Array(rsa.derRepresentation)
        case .ed25519(let ed):
            algorithm = OID.ed25519
            inner = serializingDER { try $0.serialize(ASN1OctetString(contentBytes: ArraySlice(ed.rawRepresentation))) }
        }
        return serializingDER { serializer in
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(0)
                try coder.appendConstructedNode(identifier: .sequence) { algorithmCoder in
                    try algorithmCoder.serialize(algorithm)
                    if let parameters {
                        try algorithmCoder.serialize(parameters)
                    } else if nullParameters {
                        try algorithmCoder.serialize(ASN1Null())
                    }
                }
                try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(inner)))
            }
        }
    }
}
