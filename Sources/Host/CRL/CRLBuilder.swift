import SwiftASN1
import X509

/// Encodes and signs an X.509 v2 CRL (RFC 5280 §5) the way Go's `x509.CreateRevocationList`
/// does for step-ca: issuer = the intermediate's subject bytes, thisUpdate/nextUpdate,
/// revokedCertificates (omitted when empty), crlExtensions = AKI, CRLNumber, IDP.
struct CRLBuilder: Sendable {
    /// The issuer's subject exactly as its certificate encodes it.
    let issuerName: [UInt8]
    let authorityKeyIdentifier: AuthorityKeyIdentifier
    let signer: CRLSigner

    init(issuer: Certificate, signer: CRLSigner) throws {
        issuerName = try Self.rawSubject(of: issuer)
        authorityKeyIdentifier = try CertificateFactory.authorityKeyIdentifier(of: issuer)
        self.signer = signer
    }

    /// What one CRL says.
    struct Contents: Sendable {
        var number: Int64
        /// Whole seconds since 1970.
        var thisUpdate: Int64
        var nextUpdate: Int64
        var entries: [CRLEntry]
        /// The IssuingDistributionPoint full name.
        var distributionPoint: String
    }

    /// The signed CRL, DER.
    func build(_ contents: Contents) async throws -> [UInt8] {
        let tbs: [UInt8]
        do {
            tbs = try tbsCertList(contents)
        } catch let error as CRLError {
            throw error
        } catch {
            throw CRLError(.signing, "encoding the CRL failed: \(error)")
        }
        let signature = try await signer.sign(tbs)
        var coder = DER.Serializer()
        do {
            try coder.appendConstructedNode(identifier: .sequence) { list in
                list.serializeRawBytes(tbs)
                try signer.serializeAlgorithmIdentifier(into: &list)
                try list.serialize(ASN1BitString(bytes: signature[...]))
            }
        } catch {
            throw CRLError(.signing, "encoding the CRL failed: \(error)")
        }
        return coder.serializedBytes
    }

    /// TBSCertList DER.
    func tbsCertList(_ contents: Contents) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { tbs in
            try tbs.serialize(Int64(1))  // v2
            try signer.serializeAlgorithmIdentifier(into: &tbs)
            tbs.serializeRawBytes(issuerName)
            try CRLTime.serializeASN1(contents.thisUpdate, into: &tbs)
            try CRLTime.serializeASN1(contents.nextUpdate, into: &tbs)
            if !contents.entries.isEmpty {
                try tbs.appendConstructedNode(identifier: .sequence) { list in
                    for entry in contents.entries { try Self.serialize(entry, into: &list) }
                }
            }
            let extensions = try CRLExtensions.crlExtensions(authorityKeyIdentifier: authorityKeyIdentifier,
                                                             number: contents.number,
                                                             distributionPoint: contents.distributionPoint)
            try tbs.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { explicit in
                try explicit.serializeSequenceOf(extensions)
            }
        }
        return coder.serializedBytes
    }

    /// `SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions OPTIONAL }`.
    private static func serialize(_ entry: CRLEntry, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { sequence in
            sequence.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: entry.serial) }
            try CRLTime.serializeASN1(entry.revokedAt, into: &sequence)
            let extensions = try CRLExtensions.entryExtensions(reasonCode: entry.reasonCode)
            if !extensions.isEmpty { try sequence.serializeSequenceOf(extensions) }
        }
    }

    /// The subject Name of a certificate, byte for byte (Go's `RawSubject`).
    static func rawSubject(of certificate: Certificate) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        let root = try DER.parse(coder.serializedBytes)
        guard case .constructed(let parts) = root.content, let tbs = parts.first(where: { _ in true }),
              case .constructed(let fields) = tbs.content else {
            throw CRLError(.signing, "the intermediate certificate is not a certificate")
        }
        var children = Array(fields)
        // Skip the optional [0] version, then serialNumber, signature, issuer, validity.
        if children.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { children.removeFirst() }
        guard children.count > 4 else { throw CRLError(.signing, "the intermediate certificate has no subject") }
        return Array(children[4].encodedBytes)
    }
}
