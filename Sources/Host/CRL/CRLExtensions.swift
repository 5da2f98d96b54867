import SwiftASN1
import X509

/// The extensions step-ca puts in a CRL and its entries (reference §8), DER-encoded as Go's
/// `x509.CreateRevocationList` and encoding/asn1 write them.
enum CRLExtensions {
    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]
    static let issuingDistributionPointOID: ASN1ObjectIdentifier = [2, 5, 29, 28]

    /// The CRL's own extensions, in Go's order: AuthorityKeyIdentifier, CRLNumber, then
    /// step-ca's critical IssuingDistributionPoint.
    static func crlExtensions(authorityKeyIdentifier: AuthorityKeyIdentifier, number: Int64,
                              distributionPoint: String) throws -> [Certificate.Extension] {
        [
            try Certificate.Extension(authorityKeyIdentifier, critical: false),
            try crlNumber(number),
            issuingDistributionPoint(fullName: distributionPoint),
        ]
    }

    /// CRLNumber ::= INTEGER (0..MAX), not critical.
    static func crlNumber(_ number: Int64) throws -> Certificate.Extension {
        var coder = DER.Serializer()
        try coder.serialize(number)
        return Certificate.Extension(oid: crlNumberOID, critical: false, value: coder.serializedBytes[...])
    }

    /// IssuingDistributionPoint with only `distributionPoint.fullName` = one URI, critical:
    /// `SEQUENCE { [0] { [0] { [6] uri } } }` (step-ca since the onlyContainsUserCerts flag was
    /// dropped).
    static func issuingDistributionPoint(fullName uri: String) -> Certificate.Extension {
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: .sequence) { point in
            point.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { name in
                name.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { names in
                    names.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)) {
                        $0.append(contentsOf: Array(uri.utf8))
                    }
                }
            }
        }
        return Certificate.Extension(oid: issuingDistributionPointOID, critical: true, value: coder.serializedBytes[...])
    }

    /// The entry extensions: a reasonCode (ENUMERATED, not critical) when the reason is not 0.
    static func entryExtensions(reasonCode: Int) throws -> [Certificate.Extension] {
        guard reasonCode != 0 else { return [] }
        var coder = DER.Serializer()
        try Int64(reasonCode).serialize(into: &coder, withIdentifier: .enumerated)
        return [Certificate.Extension(oid: reasonCodeOID, critical: false, value: coder.serializedBytes[...])]
    }
}
