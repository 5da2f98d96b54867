import Crypto
import _CryptoExtras
import X509

/// The access-log fields step-ca adds for an issued certificate: `issuer` (its common name) and
/// `public-key` as Go's `x509.PublicKeyAlgorithm` and parameters print (`ECDSA P-256`, `RSA 2048`,
/// `Ed25519`).
enum CertificateLogFields {
    static func set(on log: RequestLogFields, issuer: Certificate, publicKey: Certificate.PublicKey) {
        log.set("issuer", ClientCertificate.commonName(issuer))
        log.set("public-key", describe(publicKey))
    }

    static func describe(_ key: Certificate.PublicKey) -> String {
        if P256.Signing.PublicKey(key) != nil { return "ECDSA P-256" }
        if P384.Signing.PublicKey(key) != nil { return "ECDSA P-384" }
        if P521.Signing.PublicKey(key) != nil { return "ECDSA P-521" }
        if let rsa = _RSA.Signing.PublicKey(key) { return "RSA \(rsa.keySizeInBits)" }
        if Curve25519.Signing.PublicKey(key) != nil { return "Ed25519" }
        return "unknown"
    }
}
