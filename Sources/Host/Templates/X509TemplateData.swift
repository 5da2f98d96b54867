import Foundation
import GoTemplate
import SwiftASN1
import X509
import StepCrypto

/// The data step-ca hands an X.509 template (reference §6.2): `.Subject`, `.SANs`, `.Token`,
/// `.Insecure.CR`, `.Insecure.User` and the provisioner's `templateData` keys. Go structs become
/// objects with Go's field names for `.Field` access and Go's JSON for `toJson`.
enum X509TemplateData {
    /// Builds the top-level map. `provisionerData` (the provisioner's `templateData` object) is
    /// merged over the standard keys, as Go's `json.Unmarshal` into the existing map does;
    /// `userData` (the request's `templateData`) becomes `.Insecure.User` (custom templates only).
    static func make(commonName: String, sans: [String], tokenPayload: Data?, request: CertificateSigningRequest,
                     requestDER: [UInt8], provisionerData: TemplateValue?, userData: TemplateValue?) -> TemplateValue {
        var insecure: [String: TemplateValue] = ["CR": certificateRequest(request, der: requestDER)]
        if let userData { insecure["User"] = userData }
        var top: [String: TemplateValue] = [
            "Subject": subject(DistinguishedNameFields(commonName: commonName)),
            "SANs": .array(sanValues(SANSet(strings: sans))),
            "Insecure": .dict(insecure),
        ]
        if let tokenPayload, let token = try? TemplateValue(jsonData: tokenPayload) { top["Token"] = token }
        if case .map(let extra)? = provisionerData {
            for (key, value) in extra.entries { top[key] = value }
        }
        return .dict(top)
    }

    /// The request's templateData as a template value: a JSON object, else an empty map (step-ca
    /// replaces anything else with `{}`).
    static func userData(json: Data?) -> TemplateValue? {
        guard let json else { return nil }
        if let value = try? TemplateValue(jsonData: json), case .map = value { return value }
        return .dict([:])
    }

    // MARK: - Go objects

    /// An `x509util.Subject`.
    static func subject(_ fields: DistinguishedNameFields) -> TemplateValue {
        func list(_ values: [String]) -> TemplateValue { .array(values.map { .string($0) }) }
        let goFields: [String: TemplateValue] = [
            "Country": list(fields.country), "Organization": list(fields.organization),
            "OrganizationalUnit": list(fields.organizationalUnit), "Locality": list(fields.locality),
            "Province": list(fields.province), "StreetAddress": list(fields.streetAddress),
            "PostalCode": list(fields.postalCode), "SerialNumber": .string(fields.serialNumber),
            "CommonName": .string(fields.commonName), "ExtraNames": .array([]),
        ]
        // Every member is `omitempty`.
        var json: [String: TemplateValue] = [:]
        for (key, values) in [("country", fields.country), ("organization", fields.organization),
                              ("organizationalUnit", fields.organizationalUnit), ("locality", fields.locality),
                              ("province", fields.province), ("streetAddress", fields.streetAddress),
                              ("postalCode", fields.postalCode)] where !values.isEmpty {
            json[key] = list(values)
        }
        if !fields.serialNumber.isEmpty { json["serialNumber"] = .string(fields.serialNumber) }
        if !fields.commonName.isEmpty { json["commonName"] = .string(fields.commonName) }
        return .object(TemplateObject(goType: "x509util.Subject", fields: goFields, jsonValue: .dict(json)))
    }

    /// `x509util.SubjectAlternativeName` values in `CreateSANs` order: DNS, IP, email, URI.
    static func sanValues(_ sans: SANSet) -> [TemplateValue] {
        func san(_ type: String, _ value: String) -> TemplateValue {
            .object(TemplateObject(goType: "x509util.SubjectAlternativeName",
                                   fields: ["Type": .string(type), "Value": .string(value), "ASN1Value": .nil],
                                   jsonValue: .dict(["type": .string(type), "value": .string(value)])))
        }
        return sans.dnsNames.map { san("dns", $0) } + sans.ipStrings.map { san("ip", $0) }
            + sans.emailAddresses.map { san("email", $0) } + sans.uris.map { san("uri", $0) }
    }

    /// A `*x509util.CertificateRequest` made from the CSR.
    static func certificateRequest(_ csr: CertificateSigningRequest, der: [UInt8]) -> TemplateValue {
        let sans = SANSet(csr: csr)
        // Go marshals a nil slice as null.
        func list(_ values: [String]) -> TemplateValue { values.isEmpty ? .nil : .array(values.map { .string($0) }) }
        let subjectValue = subject(DistinguishedNameFields(csr.subject))
        let rawSubject = TemplateValue.string(Data(DERBytes.of(csr.subject)).base64EncodedString())
        let requested = (try? csr.attributes.extensionRequest?.extensions).map { Array($0) } ?? []
        let extensions: [TemplateValue] = requested.map { ext in
            let value = TemplateValue.string(Data(ext.value).base64EncodedString())
            return .object(TemplateObject(goType: "x509util.Extension",
                                          fields: ["ID": .string(ext.oid.description), "Critical": .bool(ext.critical), "Value": value],
                                          jsonValue: .dict(["id": .string(ext.oid.description), "critical": .bool(ext.critical), "value": value])))
        }
        let (keyObject, keyAlgorithm) = publicKey(csr.publicKey)
        let fields: [String: TemplateValue] = [
            "Version": .int(0), "Subject": subjectValue, "RawSubject": rawSubject,
            "DNSNames": list(sans.dnsNames), "EmailAddresses": list(sans.emailAddresses),
            "IPAddresses": list(sans.ipStrings), "URIs": list(sans.uris), "SANs": .nil,
            "Extensions": extensions.isEmpty ? .nil : .array(extensions),
            "KeyUsage": .int(0), "ExtKeyUsage": .nil, "UnknownExtKeyUsage": .nil, "BasicConstraints": .nil,
            "SignatureAlgorithm": .int(0), "PublicKey": keyObject, "PublicKeyAlgorithm": .int(keyAlgorithm),
        ]
        let json: [String: TemplateValue] = [
            "version": .int(0), "subject": subjectValue, "rawSubject": rawSubject,
            "dnsNames": list(sans.dnsNames), "emailAddresses": list(sans.emailAddresses),
            "ipAddresses": list(sans.ipStrings), "uris": list(sans.uris), "sans": .nil,
            "extensions": extensions.isEmpty ? .nil : .array(extensions), "keyUsage": .nil,
            "extKeyUsage": .nil, "unknownExtKeyUsage": .nil, "basicConstraints": .nil, "signatureAlgorithm": .string(""),
        ]
        return .object(TemplateObject(goType: "*x509util.CertificateRequest", fields: fields, jsonValue: .dict(json)))
    }

    /// The Go type of the key (`typeIs "*rsa.PublicKey"`) and `x509.PublicKeyAlgorithm`.
    static func publicKey(_ key: Certificate.PublicKey) -> (TemplateValue, Int) {
        switch (try? PublicKeyMaterial(key))?.keyType {
        case .rsa?: return (.object(TemplateObject(goType: "*rsa.PublicKey")), 1)
        case .ecdsaP256?, .ecdsaP384?, .ecdsaP521?: return (.object(TemplateObject(goType: "*ecdsa.PublicKey")), 3)
        case .ed25519?: return (.object(TemplateObject(goType: "ed25519.PublicKey")), 4)
        case nil: return (.nil, 0)
        }
    }
}

/// The attributes of a subject as Go's `pkix.Name` holds them.
struct DistinguishedNameFields: Equatable {
    var country: [String] = []
    var organization: [String] = []
    var organizationalUnit: [String] = []
    var locality: [String] = []
    var province: [String] = []
    var streetAddress: [String] = []
    var postalCode: [String] = []
    var serialNumber = ""
    var commonName = ""

    init(commonName: String) { self.commonName = commonName }

    /// Reads the well-known attributes of a name (the last CN and serial number win, as in Go).
    init(_ name: DistinguishedName) {
        for attribute in name.flatMap({ $0 }) {
            let value = String(describing: attribute.value)
            switch attribute.type {
            case .RDNAttributeType.countryName: country.append(value)
            case .RDNAttributeType.organizationName: organization.append(value)
            case .RDNAttributeType.organizationalUnitName: organizationalUnit.append(value)
            case .RDNAttributeType.localityName: locality.append(value)
            case .RDNAttributeType.stateOrProvinceName: province.append(value)
            case .RDNAttributeType.streetAddress: streetAddress.append(value)
            case [2, 5, 4, 17]: postalCode.append(value)
            case [2, 5, 4, 5]: serialNumber = value
            case .RDNAttributeType.commonName: commonName = value
            default: continue
            }
        }
    }
}

/// DER of ASN.1 values.
enum DERBytes {
    static func of(_ value: some DERSerializable) -> [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(value)
        return serializer.serializedBytes
    }
}
