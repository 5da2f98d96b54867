import Foundation
import Crypto
import SwiftASN1
import X509
import StepCrypto

/// Builds and signs the certificates the CA makes for itself: root and intermediate (init) and
/// its own TLS serving certificate.
enum CertificateFactory {
    /// The signature algorithm step-ca uses for a signing key.
    static func signatureAlgorithm(for key: PrivateKeyMaterial) -> Certificate.SignatureAlgorithm {
        switch key {
        case .p256: return .ecdsaWithSHA256
        case .p384: return .ecdsaWithSHA384
        case .p521: return .ecdsaWithSHA512
        case .rsa: return .sha256WithRSAEncryption
        case .ed25519: return .ed25519
        }
    }

    /// A random positive 128-bit serial number, as step uses.
    static func randomSerial() -> Certificate.SerialNumber {
        Certificate.SerialNumber(bytes: randomSerialBytes())
    }

    /// The bytes of ``randomSerial()``: 16, the first in 0x01...0x7F.
    static func randomSerialBytes() -> [UInt8] {
        var bytes = randomBytes(16)
        bytes[0] &= 0x7f
        if bytes[0] == 0 { bytes[0] = 0x01 }
        return bytes
    }

    /// A self-signed root: CA, path length 1, certSign + crlSign, as `step ca init` makes it.
    static func makeRoot(name: String, key: PrivateKeyMaterial, validity: TimeInterval, now: Date = Date()) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName(name)
            CommonName("\(name) Root CA")
        }
        return try makeCA(subject: subject, key: key, issuer: nil, issuerKey: key, maxPathLength: 1, validity: validity, now: now)
    }

    /// An intermediate signed by `root`: CA, path length 0, certSign + crlSign.
    static func makeIntermediate(name: String, key: PrivateKeyMaterial, root: Certificate, rootKey: PrivateKeyMaterial,
                                 validity: TimeInterval, now: Date = Date()) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName(name)
            CommonName("\(name) Intermediate CA")
        }
        return try makeCA(subject: subject, key: key, issuer: root, issuerKey: rootKey, maxPathLength: 0, validity: validity, now: now)
    }

    /// A CA certificate; self-signed when `issuer` is nil.
    private static func makeCA(subject: DistinguishedName, key: PrivateKeyMaterial, issuer: Certificate?,
                               issuerKey: PrivateKeyMaterial, maxPathLength: Int, validity: TimeInterval,
                               now: Date) throws -> Certificate {
        let publicKey = key.publicKey.certificatePublicKey
        let now = now.wholeSeconds
        return try Certificate(
            version: .v3,
            serialNumber: randomSerial(),
            publicKey: publicKey,
            notValidBefore: now,
            notValidAfter: now.addingTimeInterval(validity),
            issuer: issuer?.subject ?? subject,
            subject: subject,
            signatureAlgorithm: signatureAlgorithm(for: issuerKey),
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: maxPathLength))
                SubjectKeyIdentifier(hash: publicKey)
                if let issuer { try authorityKeyIdentifier(of: issuer) }
            },
            issuerPrivateKey: issuerKey.certificatePrivateKey)
    }

    /// The CA's own TLS certificate (§10.1): CN = commonName, SANs = dnsNames (IP literals as IP
    /// SANs), one minute backdated, 24 hours, digitalSignature, serverAuth + clientAuth.
    static func makeServingCertificate(commonName: String, dnsNames: [String], key: PrivateKeyMaterial,
                                       issuer: Certificate, issuerKey: CASigningKey,
                                       now: Date = Date()) async throws -> Certificate {
        let publicKey = key.publicKey.certificatePublicKey
        var names: [GeneralName] = []
        for name in dnsNames {
            let bare = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
            if let address = IPAddressBytes(bare) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.bytes))))
            } else {
                names.append(.dnsName(name))
            }
        }
        return try await Certificate(
            version: .v3,
            serialNumber: randomSerial(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-60),
            notValidAfter: now.addingTimeInterval(24 * 3600),
            issuer: issuer.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: issuerKey.signatureAlgorithm,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectKeyIdentifier(hash: publicKey)
                try authorityKeyIdentifier(of: issuer)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerAsyncPrivateKey: issuerKey.privateKey)
    }

    /// The AKI pointing at the issuer's SKI (or a hash of its key when it has none).
    static func authorityKeyIdentifier(of issuer: Certificate) throws -> AuthorityKeyIdentifier {
        if let ski = try issuer.extensions.subjectKeyIdentifier {
            return AuthorityKeyIdentifier(keyIdentifier: ski.keyIdentifier)
        }
        return AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuer.publicKey).keyIdentifier)
    }
}

/// The bytes of an IPv4 or IPv6 literal.
struct IPAddressBytes {
    let bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }
}
