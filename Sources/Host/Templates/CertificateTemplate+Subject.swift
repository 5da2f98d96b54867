import SwiftASN1
import X509
import StepConfig

extension CertificateTemplate {
    /// Fills subject attributes the template left empty from `authority.template` (step-ca's
    /// default-ASN1DN modifier; the postal code is not among them).
    mutating func applyDefaultSubject(_ defaults: ASN1DN?) {
        guard let defaults, rawSubject == nil else { return }
        func fill(_ list: inout [String], _ value: [String]) {
            if list.isEmpty, let first = value.first, !first.isEmpty { list = [first] }
        }
        fill(&subject.fields.country, defaults.country)
        fill(&subject.fields.organization, defaults.organization)
        fill(&subject.fields.organizationalUnit, defaults.organizationalUnit)
        fill(&subject.fields.locality, defaults.locality)
        fill(&subject.fields.province, defaults.province)
        fill(&subject.fields.streetAddress, defaults.streetAddress)
        if subject.fields.serialNumber.isEmpty, let value = defaults.serialNumber.first { subject.fields.serialNumber = value }
        if subject.fields.commonName.isEmpty, let value = defaults.commonName.first { subject.fields.commonName = value }
    }

    /// The subject as Go's `pkix.Name.ToRDNSequence` writes it: C, ST, L, street, postal code, O,
    /// OU, CN, serial number — all values of one type in one RDN, a type present in `extraNames`
    /// left out — then each extra name as its own RDN.
    func distinguishedName() throws -> DistinguishedName {
        if let rawSubject {
            do { return try DistinguishedName(derEncoded: DER.parse(rawSubject)) } catch {
                throw CertificateTemplateError(message: "rawSubject is not a DER name: \(error)")
            }
        }
        let fields = subject.fields
        let extraTypes = Set(subject.extraNames.map(\.type))
        let ordered: [(ASN1ObjectIdentifier, [String])] = [
            (.RDNAttributeType.countryName, fields.country),
            (.RDNAttributeType.stateOrProvinceName, fields.province),
            (.RDNAttributeType.localityName, fields.locality),
            (.RDNAttributeType.streetAddress, fields.streetAddress),
            ([2, 5, 4, 17], fields.postalCode),
            (.RDNAttributeType.organizationName, fields.organization),
            (.RDNAttributeType.organizationalUnitName, fields.organizationalUnit),
            (.RDNAttributeType.commonName, fields.commonName.isEmpty ? [] : [fields.commonName]),
            ([2, 5, 4, 5], fields.serialNumber.isEmpty ? [] : [fields.serialNumber]),
        ]
        var names: [RelativeDistinguishedName] = []
        for (type, values) in ordered where !values.isEmpty && !extraTypes.contains(type) {
            names.append(RelativeDistinguishedName(try values.map { try SubjectNames.attribute(type, $0) }))
        }
        for extra in subject.extraNames {
            names.append(RelativeDistinguishedName(try SubjectNames.attribute(extra.type, extra.value)))
        }
        return DistinguishedName(names)
    }
}

extension SubjectNames {
    /// An attribute encoded as Go's encoding/asn1 encodes a string: PrintableString when every
    /// character allows it, else UTF8String.
    static func attribute(_ type: ASN1ObjectIdentifier, _ value: String) throws -> RelativeDistinguishedName.Attribute {
        if let printable = try? RelativeDistinguishedName.Attribute(type: type, printableString: value) { return printable }
        return RelativeDistinguishedName.Attribute(type: type, utf8String: value)
    }
}
