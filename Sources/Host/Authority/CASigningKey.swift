import X509
import StepCrypto

/// The CA's issuing key as every signer uses it: a key file held in memory, or a key held by a
/// KMS plugin (an HSM, a YubiKey, a cloud KMS) that signs asynchronously.
struct CASigningKey: Sendable {
    /// The key as swift-certificates signs with it (always through its asynchronous API).
    let privateKey: Certificate.PrivateKey
    /// step-ca's algorithm for the key: ECDSA with the curve's hash, SHA-256 with RSA, Ed25519.
    let signatureAlgorithm: Certificate.SignatureAlgorithm
    let publicKey: Certificate.PublicKey
    /// Where the key lives, for start-up lines and errors (`intermediate_ca_key`, `pkcs11:id=...`).
    let description: String

    init(file key: PrivateKeyMaterial, path: String) {
        privateKey = key.certificatePrivateKey
        signatureAlgorithm = CertificateFactory.signatureAlgorithm(for: key)
        publicKey = key.publicKey.certificatePublicKey
        description = path
    }

    init(managed key: KMSPrivateKey) {
        privateKey = Certificate.PrivateKey(key)
        signatureAlgorithm = key.defaultSignatureAlgorithm
        publicKey = key.publicKey
        description = key.name
    }
}
