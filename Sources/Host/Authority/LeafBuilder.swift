import Foundation
import SwiftASN1
import X509
import StepCrypto

/// A signed leaf: its DER and serial number bytes.
struct SignedLeaf: Sendable {
    let der: [UInt8]
    let serial: [UInt8]

    init(der: [UInt8], serial: [UInt8]) {
        self.der = der
        self.serial = serial
    }

    init(_ certificate: Certificate) {
        self.init(der: CertificateFiles.der(certificate), serial: Array(certificate.serialNumber.bytes))
    }
}

/// Builds and signs a leaf certificate the way step-ca's default leaf template does
/// (reference §6.4): subject CN and SANs from the authorisation, key usages by key type,
/// serverAuth + clientAuth, SKI/AKI, the provisioner extension, a random 128-bit serial.
struct LeafBuilder {
    let issuer: Certificate
    let issuerKey: CASigningKey
    let authorityKeyIdentifier: AuthorityKeyIdentifier
    /// The direct encoder of the default leaf; nil when the CA's signature algorithm has none.
    let encoder: DefaultLeafEncoder?

    init(issuer: Certificate, issuerKey: CASigningKey) throws {
        self.issuer = issuer
        self.issuerKey = issuerKey
        self.authorityKeyIdentifier = try CertificateFactory.authorityKeyIdentifier(of: issuer)
        self.encoder = try? DefaultLeafEncoder(issuer: issuer, signatureAlgorithm: issuerKey.signatureAlgorithm,
                                               authorityKeyIdentifier: authorityKeyIdentifier)
    }

    struct Request {
        var subject: DistinguishedName
        var sans: SANSet
        var publicKey: Certificate.PublicKey
        var validity: Validity
        var provisionerExtension: ProvisionerExtension?
        /// The CSR's SubjectPublicKeyInfo when canonical (``DefaultLeafEncoder/canonicalKeyInfo(inCSR:)``):
        /// the certificate is then written directly.
        var keyInfo: ArraySlice<UInt8>? = nil
        /// A fixed serial (tests); else a random one.
        var serial: [UInt8]? = nil
    }

    /// Signs a certificate from a rendered template: its subject, names and extensions, the
    /// request's public key, the computed validity and step-ca's provisioner extension.
    func build(template: CertificateTemplate, publicKey: Certificate.PublicKey, validity: Validity,
               provisionerExtension: ProvisionerExtension?) async throws -> Certificate {
        let subject: DistinguishedName
        let extensions: Certificate.Extensions
        do {
            subject = try template.distinguishedName()
            extensions = try template.extensions(publicKey: publicKey, authorityKeyIdentifier: authorityKeyIdentifier,
                                                 provisionerExtension: try provisionerExtension?.makeExtension(),
                                                 subjectIsEmpty: subject.isEmpty)
        } catch let error as CertificateTemplateError {
            throw APIError(status: 500, message: "error applying certificate template", detail: error.description)
        }
        let signatureAlgorithm = template.signatureAlgorithm ?? issuerKey.signatureAlgorithm
        do {
            return try await Certificate(
                version: .v3,
                serialNumber: template.serialNumber.map { Certificate.SerialNumber(bytes: $0) } ?? CertificateFactory.randomSerial(),
                publicKey: publicKey,
                notValidBefore: validity.notBefore,
                notValidAfter: validity.notAfter,
                issuer: issuer.subject,
                subject: subject,
                signatureAlgorithm: signatureAlgorithm,
                extensions: extensions,
                issuerAsyncPrivateKey: issuerKey.privateKey)
        } catch where template.signatureAlgorithm != nil && template.signatureAlgorithm != issuerKey.signatureAlgorithm {
            throw APIError.internalError("the CA key cannot sign with the template's signature algorithm \(signatureAlgorithm): \(error)")
        }
    }

    func build(_ request: Request) async throws -> SignedLeaf {
        let serial = request.serial ?? CertificateFactory.randomSerialBytes()
        if let encoder, let keyInfo = request.keyInfo,
           let tbs = try encoder.toBeSigned(serial: serial, validity: request.validity, subject: request.subject, keyInfo: keyInfo,
                                            sans: request.sans, provisionerExtension: try request.provisionerExtension?.makeExtension()) {
            let signature = try await issuerKey.privateKey.signAsynchronously(bytes: tbs, signatureAlgorithm: issuerKey.signatureAlgorithm)
            return SignedLeaf(der: encoder.certificate(toBeSigned: tbs, signature: signature.rawRepresentation), serial: serial)
        }
        let isRSA = PublicKeyChecks.isRSA(request.publicKey)
        let keyUsage = isRSA ? KeyUsage(digitalSignature: true, keyEncipherment: true) : KeyUsage(digitalSignature: true)
        var extensions = try Certificate.Extensions {
            Critical(keyUsage)
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectKeyIdentifier(hash: request.publicKey)
            authorityKeyIdentifier
        }
        if !request.sans.isEmpty {
            // Critical when the subject is empty, as RFC 5280 §4.2.1.6 requires.
            let critical = request.subject.isEmpty
            try extensions.append(Certificate.Extension(SubjectAlternativeNames(request.sans.generalNames), critical: critical))
        }
        if let provisionerExtension = request.provisionerExtension {
            try extensions.append(provisionerExtension.makeExtension())
        }
        return SignedLeaf(try await Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: request.publicKey,
            notValidBefore: request.validity.notBefore,
            notValidAfter: request.validity.notAfter,
            issuer: issuer.subject,
            subject: request.subject,
            signatureAlgorithm: issuerKey.signatureAlgorithm,
            extensions: extensions,
            issuerAsyncPrivateKey: issuerKey.privateKey))
    }
}

/// Checks on the public key of a request (step-ca's default public-key validator).
enum PublicKeyChecks {
    static let weakRSAMessage = "certificate request RSA key must be at least 2048 bits (256 bytes)"

    static func isRSA(_ key: Certificate.PublicKey) -> Bool {
        if case .rsa = try? PublicKeyMaterial(key) { return true }
        return false
    }

    /// RSA keys need at least 2048 bits; EC keys must be on P-256/384/521; Ed25519 is fine.
    static func validate(_ key: Certificate.PublicKey) throws {
        guard let material = try? PublicKeyMaterial(key) else {
            throw APIError.forbidden("unsupported public key type")
        }
        if case .rsa(let bits) = material.keyType, bits < 2048 {
            throw APIError.forbidden(weakRSAMessage)
        }
    }
}
