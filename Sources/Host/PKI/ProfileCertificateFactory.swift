import Foundation
import Crypto
import _CryptoExtras
import SwiftASN1
import X509

/// Builds the certificates of `step-ca certificate create --profile ...` for a public key held
/// anywhere, signed through any swift-certificates private key (a KMS key signs asynchronously).
/// Root and intermediate match what `step-ca init` makes: certSign + crlSign (critical), CA
/// with path length 1 or 0 (critical), SKI, and AKI on everything but the root.
enum ProfileCertificateFactory {
    /// The certificate profiles of `step certificate create`.
    enum Profile: String, CaseIterable, Sendable {
        case rootCA = "root-ca"
        case intermediateCA = "intermediate-ca"
        case leaf = "leaf"

        /// step's default validity: ten years for CAs, a day for leaves.
        var defaultValidity: TimeInterval {
            self == .leaf ? 24 * 3600 : 87600 * 3600
        }
    }

    /// A certificate for `publicKey` with CN = `subject`. `issuer` is nil for the root (the
    /// certificate is then self-signed and `issuerKey` must hold `publicKey`).
    static func make(profile: Profile, subject: String, sans: [String], publicKey: Certificate.PublicKey,
                     issuer: Certificate?, issuerKey: Certificate.PrivateKey,
                     signatureAlgorithm: Certificate.SignatureAlgorithm,
                     notBefore: Date, notAfter: Date) async throws -> Certificate {
        let subjectName = try DistinguishedName { CommonName(subject) }
        let extensions: Certificate.Extensions
        switch profile {
        case .rootCA, .intermediateCA:
            extensions = try Certificate.Extensions {
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: profile == .rootCA ? 1 : 0))
                SubjectKeyIdentifier(hash: publicKey)
                if let issuer { try CertificateFactory.authorityKeyIdentifier(of: issuer) }
            }
        case .leaf:
            guard let issuer else { preconditionFailure("a leaf needs an issuer") }
            let rsa = _RSA.Signing.PublicKey(publicKey) != nil
            let names = SANSet(strings: sans.isEmpty ? [subject] : sans).generalNames
            extensions = try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: rsa))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectKeyIdentifier(hash: publicKey)
                try CertificateFactory.authorityKeyIdentifier(of: issuer)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            }
        }
        return try await Certificate(
            version: .v3,
            serialNumber: CertificateFactory.randomSerial(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer?.subject ?? subjectName,
            subject: subjectName,
            signatureAlgorithm: signatureAlgorithm,
            extensions: extensions,
            issuerAsyncPrivateKey: issuerKey)
    }
}
