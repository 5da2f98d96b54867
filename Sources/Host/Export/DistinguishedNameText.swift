import SwiftASN1
import X509

/// A distinguished name as an RFC 4514 string, written as Python's `cryptography`
/// (`Name.rfc4514_string()`) and OpenSSL's RFC 2253 mode write it: the last RDN first, the short
/// names of RFC 4514 §3 (CN, L, ST, O, OU, C, STREET, DC, UID), any other type as its dotted OID,
/// PrintableString, UTF8String and IA5String values escaped per §2.4, any other value (other
/// string types such as BMPString included, where Python would decode the text) as `#` and its
/// DER in hex.
enum DistinguishedNameText {
    static func rfc4514(_ name: DistinguishedName) -> String {
        name.reversed().map { rdn in
            rdn.map { attribute in "\(shortName(attribute.type))=\(value(attribute.value))" }.joined(separator: "+")
        }.joined(separator: ",")
    }

    private static func shortName(_ type: ASN1ObjectIdentifier) -> String {
        switch type {
        case .RDNAttributeType.commonName: return "CN"
        case .RDNAttributeType.localityName: return "L"
        case .RDNAttributeType.stateOrProvinceName: return "ST"
        case .RDNAttributeType.organizationName: return "O"
        case .RDNAttributeType.organizationalUnitName: return "OU"
        case .RDNAttributeType.countryName: return "C"
        case .RDNAttributeType.streetAddress: return "STREET"
        case .RDNAttributeType.domainComponent: return "DC"
        case [0, 9, 2342, 19_200_300, 100, 1, 1]: return "UID"
        default: return type.description
        }
    }

    private static func value(_ value: RelativeDistinguishedName.Attribute.Value) -> String {
        guard let text = String(value) else {
            var serializer = DER.Serializer()
            guard (try? serializer.serialize(ASN1Any(value))) != nil else { return "#" }
            return "#" + serializer.serializedBytes.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
        return escape(text)
    }

    /// RFC 4514 §2.4: `\` `"` `+` `,` `;` `<` `>` escaped anywhere, NUL as `\00`, a leading `#`
    /// or space and a trailing space escaped.
    static func escape(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        var out = ""
        for character in text {
            switch character {
            case "\\", "\"", "+", ",", ";", "<", ">": out += "\\" + String(character)
            case "\0": out += "\\00"
            default: out.append(character)
            }
        }
        if out.hasPrefix("#") || out.hasPrefix(" ") { out = "\\" + out }
        if out.hasSuffix(" ") {
            out.removeLast()
            out += "\\ "
        }
        return out
    }
}
