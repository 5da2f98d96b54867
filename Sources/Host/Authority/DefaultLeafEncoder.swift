import Crypto
import Foundation
import SwiftASN1
import X509

/// Writes step's default leaf straight to DER for the common request: an EC (P-256, P-384,
/// P-521) or Ed25519 key whose SubjectPublicKeyInfo in the CSR is already in canonical form.
///
/// The bytes are those swift-certificates writes for the same certificate (a test builds both and
/// compares them), but the public key is copied from the CSR instead of being decoded into a
/// curve point and encoded again, and the parts that never change — issuer name, signature
/// algorithm, key usage, extended key usage, authority key identifier — are encoded once.
/// Anything else (RSA keys, dates outside 1950–2049) goes through ``LeafBuilder`` as before.
struct DefaultLeafEncoder: Sendable {
    private let issuerName: [UInt8]
    private let signatureAlgorithmIdentifier: [UInt8]
    /// keyUsage (critical, digitalSignature) and extKeyUsage (serverAuth, clientAuth), encoded.
    private let leadingExtensions: [UInt8]
    private let authorityKeyIdentifierExtension: [UInt8]

    init(issuer: Certificate, signatureAlgorithm: Certificate.SignatureAlgorithm,
         authorityKeyIdentifier: AuthorityKeyIdentifier) throws {
        issuerName = try Self.serialized(issuer.subject)
        var algorithm = DER.Serializer()
        try CRLSigner.serializeAlgorithmIdentifier(signatureAlgorithm, into: &algorithm)
        signatureAlgorithmIdentifier = algorithm.serializedBytes
        leadingExtensions = try Self.serialized(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            + Self.serialized(Certificate.Extension(ExtendedKeyUsage([.serverAuth, .clientAuth]), critical: false))
        authorityKeyIdentifierExtension = try Self.serialized(Certificate.Extension(authorityKeyIdentifier, critical: false))
    }

    /// The prefixes of canonical EC and Ed25519 SubjectPublicKeyInfos, with the total length each
    /// must have (uncompressed points; Go and swift-certificates write these forms).
    private static let canonicalKeyPrefixes: [(prefix: [UInt8], length: Int)] = [
        // P-256: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING 0x04 || X || Y }
        ([0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A, 0x86, 0x48,
          0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04], 91),
        // P-384 (secp384r1)
        ([0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81, 0x04,
          0x00, 0x22, 0x03, 0x62, 0x00, 0x04], 120),
        // P-521 (secp521r1)
        ([0x30, 0x81, 0x9B, 0x30, 0x10, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x05, 0x2B, 0x81,
          0x04, 0x00, 0x23, 0x03, 0x81, 0x86, 0x00, 0x04], 158),
        // Ed25519: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING key }
        ([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00], 44),
    ]

    /// The CSR's SubjectPublicKeyInfo when it is one of the canonical EC/Ed25519 forms, else nil.
    /// The CSR has been parsed and its signature checked already; this only walks its headers:
    /// CertificationRequest ::= SEQUENCE { CertificationRequestInfo ::= SEQUENCE { version,
    /// subject, subjectPKInfo, ... }, ... }.
    static func canonicalKeyInfo(inCSR der: [UInt8]) -> ArraySlice<UInt8>? {
        guard let request = element(in: der, at: der.startIndex), request.tag == 0x30,
              let info = element(in: der, at: request.contentStart), info.tag == 0x30,
              let version = element(in: der, at: info.contentStart),
              let subject = element(in: der, at: version.end),
              let keyInfo = element(in: der, at: subject.end), keyInfo.tag == 0x30
        else { return nil }
        let bytes = der[subject.end..<keyInfo.end]
        for known in canonicalKeyPrefixes where bytes.count == known.length && bytes.starts(with: known.prefix) {
            return bytes
        }
        return nil
    }

    /// The DER element starting at `offset`: its tag, where its content starts and where it ends.
    private static func element(in der: [UInt8], at offset: Int) -> (tag: UInt8, contentStart: Int, end: Int)? {
        guard offset + 2 <= der.count else { return nil }
        let tag = der[offset]
        var length = Int(der[offset + 1])
        var contentStart = offset + 2
        if length >= 0x80 {
            let count = length & 0x7F
            guard count >= 1, count <= 3, contentStart + count <= der.count else { return nil }
            length = der[contentStart..<contentStart + count].reduce(0) { $0 << 8 | Int($1) }
            contentStart += count
        }
        guard contentStart + length <= der.count else { return nil }
        return (tag, contentStart, contentStart + length)
    }

    /// The TBSCertificate of step's default leaf, or nil when a date needs GeneralizedTime.
    func toBeSigned(serial: [UInt8], validity: Validity, subject: DistinguishedName, keyInfo: ArraySlice<UInt8>,
                    sans: SANSet, provisionerExtension: Certificate.Extension?) throws -> [UInt8]? {
        guard let notBefore = try Self.utcTime(validity.notBefore), let notAfter = try Self.utcTime(validity.notAfter) else { return nil }
        var extensions = leadingExtensions
        extensions += try Self.serialized(Certificate.Extension(
            SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: Self.keyBits(keyInfo)))), critical: false))
        extensions += authorityKeyIdentifierExtension
        if !sans.isEmpty {
            // Critical when the subject is empty, as RFC 5280 §4.2.1.6 requires.
            extensions += try Self.serialized(Certificate.Extension(SubjectAlternativeNames(sans.generalNames),
                                                                    critical: subject.isEmpty))
        }
        if let provisionerExtension { extensions += try Self.serialized(provisionerExtension) }

        var body: [UInt8] = [0xA0, 0x03, 0x02, 0x01, 0x02]  // [0] EXPLICIT version v3
        body.reserveCapacity(keyInfo.count + extensions.count + issuerName.count + 160)
        Self.append(tag: 0x02, content: serial, to: &body)
        body += signatureAlgorithmIdentifier
        body += issuerName
        Self.append(tag: 0x30, content: notBefore + notAfter, to: &body)
        body += try Self.serialized(subject)
        body += keyInfo
        var extensionList: [UInt8] = []
        Self.append(tag: 0x30, content: extensions, to: &extensionList)
        Self.append(tag: 0xA3, content: extensionList, to: &body)
        var tbs: [UInt8] = []
        Self.append(tag: 0x30, content: body, to: &tbs)
        return tbs
    }

    /// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, BIT STRING signature }.
    func certificate(toBeSigned tbs: [UInt8], signature: [UInt8]) -> [UInt8] {
        var body = tbs
        body += signatureAlgorithmIdentifier
        Self.append(tag: 0x03, content: [0x00] + signature, to: &body)
        var certificate: [UInt8] = []
        Self.append(tag: 0x30, content: body, to: &certificate)
        return certificate
    }

    /// The subjectPublicKey bits of a canonical key info (what the key identifier hashes).
    private static func keyBits(_ keyInfo: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let prefix = canonicalKeyPrefixes.first { keyInfo.starts(with: $0.prefix) }?.prefix ?? []
        // The prefix ends with the BIT STRING's unused-bits byte (and the EC point's 0x04, which
        // belongs to the key bits).
        let ecPoint = prefix.last == 0x04 ? 1 : 0
        return keyInfo.dropFirst(prefix.count - ecPoint)
    }

    /// UTCTime as swift-certificates writes it (seconds rounded), for years 1950–2049; else nil.
    private static func utcTime(_ date: Date) throws -> [UInt8]? {
        try CRLTime.utcTime(Int64(date.timeIntervalSince1970.rounded())).map(serialized)
    }

    private static func serialized<Element: DERSerializable>(_ element: Element) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(element)
        return serializer.serializedBytes
    }

    /// Appends a DER tag, definite length and content.
    private static func append(tag: UInt8, content: [UInt8], to out: inout [UInt8]) {
        out.append(tag)
        let length = content.count
        if length < 0x80 {
            out.append(UInt8(length))
        } else {
            let lengthBytes = withUnsafeBytes(of: UInt64(length).bigEndian) { Array($0.drop { $0 == 0 }) }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        out += content
    }
}
