import Foundation
import SwiftASN1
import X509
import NamePolicy
import StepConfig

extension CertificateTemplate {
    /// Decodes rendered template output. Not JSON, or a member of the wrong type → error.
    static func decode(_ text: String) throws -> CertificateTemplate {
        guard let members = try TemplateJSONReader.document(text).members() else { return CertificateTemplate() }
        var model = CertificateTemplate()
        try model.read(members)
        return model
    }

    private mutating func read(_ m: [String: TemplateJSONReader]) throws {
        if let value = m["subject"] { subject = try Self.subject(value) }
        if let value = m["rawsubject"] { rawSubject = try value.bytes().flatMap { $0.isEmpty ? nil : $0 } }
        if let value = m["serialnumber"] { serialNumber = try Self.serial(value) }
        dnsNames = try m["dnsnames"]?.strings() ?? []
        emailAddresses = try m["emailaddresses"]?.strings() ?? []
        ipAddresses = try (m["ipaddresses"]?.strings() ?? []).map { text in
            guard let address = IPAddressBytes(text) else { throw CertificateTemplateError(message: "invalid ip address \(GoQuote.quote(text))") }
            return address.bytes
        }
        uris = try m["uris"]?.strings() ?? []
        for san in try m["sans"]?.elements() ?? [] { try readSAN(san) }
        notBefore = try m["notbefore"]?.time()
        notAfter = try m["notafter"]?.time()
        for item in try m["extensions"]?.elements() ?? [] { extensions.append(try Self.customExtension(item)) }
        if let value = m["keyusage"] { keyUsage = try TemplateKeyUsages.keyUsage(try value.strings()) }
        for name in try m["extkeyusage"]?.strings() ?? [] { extKeyUsage.append(try TemplateKeyUsages.extendedKeyUsage(name)) }
        unknownExtKeyUsage = try (m["unknownextkeyusage"]?.strings() ?? []).map {
            try TemplateJSONReader.objectIdentifier($0, path: "Certificate.unknownExtKeyUsage")
        }
        if let value = m["subjectkeyid"] { subjectKeyID = try value.bytes().flatMap { $0.isEmpty ? nil : $0 } }
        ocspServer = try m["ocspserver"]?.strings() ?? []
        issuingCertificateURL = try m["issuingcertificateurl"]?.strings() ?? []
        crlDistributionPoints = try m["crldistributionpoints"]?.strings() ?? []
        policyIdentifiers = try (m["policyidentifiers"]?.strings() ?? []).map {
            try TemplateJSONReader.objectIdentifier($0, path: "Certificate.policyIdentifiers")
        }
        if let value = m["basicconstraints"], let members = try value.members() {
            basicConstraints = BasicConstraintsValue(isCA: try members["isca"]?.bool() ?? false,
                                                     maxPathLen: try members["maxpathlen"]?.int() ?? 0)
        }
        if let value = m["nameconstraints"], let members = try value.members() {
            nameConstraints = try Self.nameConstraints(members)
        }
        if let value = m["signaturealgorithm"], let name = try value.string(), !name.isEmpty {
            signatureAlgorithm = try TemplateSignatureAlgorithms.named(name)
        }
    }

    private static func subject(_ value: TemplateJSONReader) throws -> Subject {
        var subject = Subject()
        if case .string(let commonName) = value.node.value {
            subject.fields.commonName = commonName
            return subject
        }
        guard let m = try value.members() else { return subject }
        subject.fields.country = try m["country"]?.strings() ?? []
        subject.fields.organization = try m["organization"]?.strings() ?? []
        subject.fields.organizationalUnit = try m["organizationalunit"]?.strings() ?? []
        subject.fields.locality = try m["locality"]?.strings() ?? []
        subject.fields.province = try m["province"]?.strings() ?? []
        subject.fields.streetAddress = try m["streetaddress"]?.strings() ?? []
        subject.fields.postalCode = try m["postalcode"]?.strings() ?? []
        subject.fields.serialNumber = try m["serialnumber"]?.string() ?? ""
        subject.fields.commonName = try m["commonname"]?.string() ?? ""
        for name in try m["extranames"]?.elements() ?? [] {
            guard let members = try name.members() else { continue }
            let type = try TemplateJSONReader.objectIdentifier(try members["type"]?.string() ?? "", path: name.path + ".type")
            let value: String
            switch members["value"]?.node.value {
            case .string(let text)?: value = text
            case .number(let text)?: value = text
            case .bool(let flag)?: value = flag ? "true" : "false"
            default: throw CertificateTemplateError(message: "unsupported value in \(name.path).value")
            }
            subject.extraNames.append((type, value))
        }
        return subject
    }

    /// A JSON integer, or a string in decimal or with a `0x`/`0o`/`0b` prefix.
    private static func serial(_ value: TemplateJSONReader) throws -> [UInt8]? {
        let text: String
        switch value.node.value {
        case .null: return nil
        case .number(let digits): text = digits
        case .string(let string): text = string
        default: throw value.mismatch("serial number")
        }
        guard let magnitude = BigSerial.parse(text) else {
            throw CertificateTemplateError(message: "error unmarshaling serial number \(GoQuote.quote(text))")
        }
        return magnitude
    }

    private mutating func readSAN(_ item: TemplateJSONReader) throws {
        guard let m = try item.members() else { return }
        let type = ASCIIFold.lowercased(try m["type"]?.string() ?? "")
        let value = try m["value"]?.string() ?? ""
        switch type {
        case "dns": dnsNames.append(value)
        case "email": emailAddresses.append(value)
        case "ip":
            guard let address = IPAddressBytes(value) else { throw CertificateTemplateError(message: "invalid ip address \(GoQuote.quote(value))") }
            ipAddresses.append(address.bytes)
        case "uri": uris.append(value)
        case "", "auto":
            let split = SANSet(strings: [value])
            dnsNames += split.dnsNames
            ipAddresses += split.ipAddresses
            emailAddresses += split.emailAddresses
            uris += split.uris
        case "registeredid":
            otherNames.append(.registeredID(try TemplateJSONReader.objectIdentifier(value, path: item.path + ".value")))
        case "permanentidentifier":
            otherNames.append(.permanentIdentifier(identifier: value, assigner: nil))
        case "userprincipalname", "upn":
            otherNames.append(.userPrincipalName(value))
        default:
            throw CertificateTemplateError(message: "unsupported subject alternative name type \(GoQuote.quote(type))")
        }
    }

    private static func customExtension(_ item: TemplateJSONReader) throws -> Certificate.Extension {
        guard let m = try item.members() else { throw CertificateTemplateError(message: "\(item.path) is null") }
        let oid = try TemplateJSONReader.objectIdentifier(try m["id"]?.string() ?? "", path: item.path + ".id")
        let value = try m["value"]?.bytes() ?? []
        return Certificate.Extension(oid: oid, critical: try m["critical"]?.bool() ?? false, value: value[...])
    }

    private static func nameConstraints(_ m: [String: TemplateJSONReader]) throws -> NameConstraintsValue {
        func ranges(_ key: String) throws -> [(address: [UInt8], mask: [UInt8])] {
            try (m[key.lowercased()]?.strings() ?? []).map { text in
                guard let range = CIDRRange(text) else { throw CertificateTemplateError(message: "invalid CIDR \(GoQuote.quote(text)) in nameConstraints.\(key)") }
                return (range.address, range.mask)
            }
        }
        var value = NameConstraintsValue()
        value.critical = try m["critical"]?.bool() ?? false
        value.permittedDNSDomains = try m["permitteddnsdomains"]?.strings() ?? []
        value.excludedDNSDomains = try m["excludeddnsdomains"]?.strings() ?? []
        value.permittedIPRanges = try ranges("permittedIPRanges")
        value.excludedIPRanges = try ranges("excludedIPRanges")
        value.permittedEmailAddresses = try m["permittedemailaddresses"]?.strings() ?? []
        value.excludedEmailAddresses = try m["excludedemailaddresses"]?.strings() ?? []
        value.permittedURIDomains = try m["permitteduridomains"]?.strings() ?? []
        value.excludedURIDomains = try m["excludeduridomains"]?.strings() ?? []
        return value
    }
}

/// An IP network in CIDR notation as address and mask bytes.
struct CIDRRange {
    let address: [UInt8]
    let mask: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddressBytes(String(parts[0])), let bits = Int(parts[1]),
              bits >= 0, bits <= ip.bytes.count * 8 else { return nil }
        var mask = [UInt8](repeating: 0, count: ip.bytes.count)
        for bit in 0..<bits { mask[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        address = zip(ip.bytes, mask).map { $0 & $1 }
        self.mask = mask
    }
}

/// Serial numbers written in templates.
enum BigSerial {
    /// The big-endian magnitude of a non-negative integer in decimal, `0x`, `0o` or `0b` form.
    static func parse(_ text: String) -> [UInt8]? {
        var digits = Substring(text)
        var radix: UInt32 = 10
        for (prefix, base) in [("0x", UInt32(16)), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] where digits.hasPrefix(prefix) {
            digits = digits.dropFirst(2)
            radix = base
        }
        guard !digits.isEmpty, digits.count <= 200 else { return nil }
        var magnitude: [UInt8] = [0]
        for character in digits {
            guard let digit = character.hexDigitValue, UInt32(digit) < radix else { return nil }
            var carry = UInt32(digit)
            for index in magnitude.indices.reversed() {
                let value = UInt32(magnitude[index]) * radix + carry
                magnitude[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 {
                magnitude.insert(UInt8(carry & 0xFF), at: 0)
                carry >>= 8
            }
        }
        let trimmed = Array(magnitude.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }
}
