import SwiftASN1
import X509
import StepCrypto

/// Signs a TBSCertList with the issuing key through swift-certificates' `Certificate.PrivateKey`,
/// the same signer issuance uses (a key held by a KMS plugin plugs in there as a custom key), with
/// the algorithm step-ca picks for the key (CertificateFactory.signatureAlgorithm).
struct CRLSigner: Sendable {
    let privateKey: Certificate.PrivateKey
    let algorithm: Certificate.SignatureAlgorithm

    init(privateKey: Certificate.PrivateKey, algorithm: Certificate.SignatureAlgorithm) {
        self.privateKey = privateKey
        self.algorithm = algorithm
    }

    /// The signer of the CA's issuing key.
    init(key: CASigningKey) {
        self.init(privateKey: key.privateKey, algorithm: key.signatureAlgorithm)
    }

    /// The signature over `bytes`, as the content of a BIT STRING.
    func sign(_ bytes: [UInt8]) async throws -> [UInt8] {
        do {
            return try await privateKey.signAsynchronously(bytes: bytes, signatureAlgorithm: algorithm).rawRepresentation
        } catch {
            throw CRLError(.signing, "signing the CRL with the intermediate key failed: \(error)")
        }
    }

    /// Serialises the AlgorithmIdentifier of ``algorithm``.
    func serializeAlgorithmIdentifier(into coder: inout DER.Serializer) throws {
        try Self.serializeAlgorithmIdentifier(algorithm, into: &coder)
    }

    /// Serialises an AlgorithmIdentifier: no parameters for ECDSA and Ed25519, an explicit NULL
    /// for RSA (RFC 4055), as Go writes them.
    static func serializeAlgorithmIdentifier(_ algorithm: Certificate.SignatureAlgorithm, into coder: inout DER.Serializer) throws {
        let oid: ASN1ObjectIdentifier
        var nullParameters = false
        switch algorithm {
        case .ecdsaWithSHA256: oid = [1, 2, 840, 10045, 4, 3, 2]
        case .ecdsaWithSHA384: oid = [1, 2, 840, 10045, 4, 3, 3]
        case .ecdsaWithSHA512: oid = [1, 2, 840, 10045, 4, 3, 4]
        case .sha256WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 11]; nullParameters = true
        case .sha384WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 12]; nullParameters = true
        case .sha512WithRSAEncryption: oid = [1, 2, 840, 113549, 1, 1, 13]; nullParameters = true
        case .ed25519: oid = [1, 3, 101, 112]
        default:
            throw CRLError(.signing, "the signature algorithm \(algorithm) cannot sign a CRL")
        }
        try coder.appendConstructedNode(identifier: .sequence) { sequence in
            try sequence.serialize(oid)
            if nullParameters { try sequence.serialize(ASN1Null()) }
        }
    }
}
