import SwiftASN1
import X509

/// step-ca's provisioner extension (OID 1.3.6.1.4.1.37476.9000.64.1, non-critical):
/// `SEQUENCE { INTEGER type, OCTET STRING name, OCTET STRING credentialID, SEQUENCE OF PrintableString keyValuePairs OPTIONAL }`.
struct ProvisionerExtension: Sendable, Equatable {
    static let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 37476, 9000, 64, 1]

    /// 1 JWK, 2 OIDC, 3 GCP, 4 AWS, 5 Azure, 6 ACME, 7 X5C, 8 K8sSA, 9 SSHPOP, 10 SCEP, 11 Nebula.
    var type: Int
    var name: String
    var credentialID: String
    var keyValuePairs: [String] = []

    func makeExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(type)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(name.utf8)))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(credentialID.utf8)))
            if !keyValuePairs.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { pairs in
                    for pair in keyValuePairs { try pairs.serialize(try ASN1PrintableString(pair)) }
                }
            }
        }
        return Certificate.Extension(oid: Self.oid, critical: false, value: ArraySlice(serializer.serializedBytes))
    }

    /// Reads the extension from a certificate, if present and well-formed.
    init?(certificate: Certificate) {
        guard let raw = certificate.extensions[oid: Self.oid],
              let node = try? DER.parse(raw.value),
              let parsed = try? DER.sequence(node, identifier: .sequence, { nodes -> ProvisionerExtension in
                  let type = try Int(derEncoded: &nodes)
                  let name = try ASN1OctetString(derEncoded: &nodes)
                  let credential = try ASN1OctetString(derEncoded: &nodes)
                  while nodes.next() != nil {}
                  return ProvisionerExtension(type: type, name: String(decoding: name.bytes, as: UTF8.self),
                                              credentialID: String(decoding: credential.bytes, as: UTF8.self))
              })
        else { return nil }
        self = parsed
    }

    init(type: Int, name: String, credentialID: String, keyValuePairs: [String] = []) {
        self.type = type
        self.name = name
        self.credentialID = credentialID
        self.keyValuePairs = keyValuePairs
    }
}
