import Crypto
import _CryptoExtras
import Foundation
import GoTemplate
import SwiftASN1
import Testing
import X509
import StepConfig
@testable import Host

/// X.509 templates in-process: the data step-ca gives a template, the built-in templates, the
/// certificate JSON model and its DER, the asn1 functions.
@Suite("X.509 template units")
struct X509TemplateUnitTests {
    static func csr(rsa: Bool = false, commonName: String = "api.example.com", sans: [GeneralName] = [],
                    organization: String? = nil) throws -> CertificateSigningRequest {
        let key: Certificate.PrivateKey = rsa ? Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
                                              : Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            if let organization { OrganizationName(organization) }
            CommonName(commonName)
        }
        var attributes = CertificateSigningRequest.Attributes()
        if !sans.isEmpty {
            let request = ExtensionRequest(extensions: try Certificate.Extensions { SubjectAlternativeNames(sans) })
            attributes = CertificateSigningRequest.Attributes([try CertificateSigningRequest.Attribute(request)])
        }
        return try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key, attributes: attributes,
                                             signatureAlgorithm: rsa ? .sha256WithRSAEncryption : .ecdsaWithSHA256)
    }

    static func data(_ csr: CertificateSigningRequest, commonName: String = "api.example.com",
                     sans: [String] = ["api.example.com", "10.0.0.7", "ops@example.com", "spiffe://example.com/api"],
                     token: String = #"{"sub":"api.example.com","iss":"ops","aud":["https://ca/1.0/sign"],"nbf":1764400000}"#,
                     provisioner: String? = nil, user: String? = nil) throws -> TemplateValue {
        X509TemplateData.make(commonName: commonName, sans: sans, tokenPayload: Data(token.utf8), request: csr,
                              requestDER: DERBytes.of(csr), provisionerData: try provisioner.map { try TemplateValue(json: $0) },
                              userData: X509TemplateData.userData(json: user.map { Data($0.utf8) }))
    }

    static func render(_ text: String, _ data: TemplateValue) throws -> String {
        try Template(name: "template", text: text, functions: X509TemplateFunctions.all).render(data)
    }

    @Test("the template data: .Subject and .SANs in step's JSON, .Token claims, .Insecure.CR with Go field names")
    func templateData() throws {
        let request = try Self.csr(sans: [.dnsName("api.example.com"), .dnsName("api"), .ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 7]))],
                                   organization: "Acme")
        let data = try Self.data(request)
        #expect(try Self.render("{{ toJson .Subject }}", data) == #"{"commonName":"api.example.com"}"#)
        #expect(try Self.render("{{ toJson .SANs }}", data)
                == #"[{"type":"dns","value":"api.example.com"},{"type":"ip","value":"10.0.0.7"},{"type":"email","value":"ops@example.com"},{"type":"uri","value":"spiffe://example.com/api"}]"#)
        #expect(try Self.render("{{ range .SANs }}{{ .Type }}={{ .Value }};{{ end }}", data)
                == "dns=api.example.com;ip=10.0.0.7;email=ops@example.com;uri=spiffe://example.com/api;")
        #expect(try Self.render("{{ .Token.sub }} {{ .Token.iss }} {{ index .Token.aud 0 }}", data) == "api.example.com ops https://ca/1.0/sign")
        #expect(try Self.render("{{ .Insecure.CR.Subject.CommonName }}|{{ toJson .Insecure.CR.Subject }}", data)
                == #"api.example.com|{"commonName":"api.example.com","organization":["Acme"]}"#)
        #expect(try Self.render("{{ toJson .Insecure.CR.DNSNames }} {{ toJson .Insecure.CR.IPAddresses }} {{ toJson .Insecure.CR.EmailAddresses }}", data)
                == #"["api.example.com","api"] ["10.0.0.7"] null"#)
        #expect(try Self.render(#"{{ typeIs "*ecdsa.PublicKey" .Insecure.CR.PublicKey }} {{ .Insecure.CR.PublicKeyAlgorithm }}"#, data) == "true 3")
        // No custom template: no .Insecure.User.
        #expect(try Self.render("{{ .Insecure.User }}", data) == "<no value>")
    }

    @Test("provisioner templateData is merged over the top level; request templateData becomes .Insecure.User (an object, else {})")
    func mergedData() throws {
        let request = try Self.csr()
        let data = try Self.data(request, provisioner: #"{"Team": "pki", "Subject": {"commonName": "overridden"}}"#,
                                 user: #"{"role": "db"}"#)
        #expect(try Self.render("{{ .Team }} {{ .Subject.commonName }} {{ .Insecure.User.role }}", data) == "pki overridden db")
        let odd = try Self.data(request, user: "[1,2]")
        #expect(try Self.render("{{ toJson .Insecure.User }}", odd) == "{}")
    }

    @Test("step-ca's default leaf template: subject, SANs, key usages by key type", arguments: [false, true])
    func defaultLeaf(rsa: Bool) throws {
        let request = try Self.csr(rsa: rsa)
        let model = try X509TemplateRenderer.render(X509TemplateTexts.leaf, data: try Self.data(request))
        #expect(model.subject.fields.commonName == "api.example.com")
        #expect(model.dnsNames == ["api.example.com"])
        #expect(model.ipAddresses == [[10, 0, 0, 7]])
        #expect(model.emailAddresses == ["ops@example.com"])
        #expect(model.uris == ["spiffe://example.com/api"])
        #expect(model.keyUsage == (rsa ? KeyUsage(digitalSignature: true, keyEncipherment: true) : KeyUsage(digitalSignature: true)))
        #expect(model.extKeyUsage == [[1, 3, 6, 1, 5, 5, 7, 3, 1], [1, 3, 6, 1, 5, 5, 7, 3, 2]])
        #expect(model.basicConstraints == nil)
    }

    @Test("the instance-identity and CSR-as-is templates copy the request's names")
    func requestTemplates() throws {
        let request = try Self.csr(sans: [.dnsName("a.example.com"), .rfc822Name("x@example.com")], organization: "Acme")
        let asIs = try X509TemplateRenderer.render(X509TemplateTexts.certificateRequestLeaf, data: try Self.data(request, sans: []))
        #expect(asIs.subject.fields.organization == ["Acme"])
        #expect(asIs.dnsNames == ["a.example.com"] && asIs.emailAddresses == ["x@example.com"])
        let iid = try X509TemplateRenderer.render(X509TemplateTexts.instanceIdentityLeaf, data: try Self.data(request, sans: []))
        #expect(iid.subject.fields.organization.isEmpty && iid.subject.fields.commonName == "api.example.com")
        #expect(iid.dnsNames == ["a.example.com"])
        let iidTokenSANs = try X509TemplateRenderer.render(X509TemplateTexts.instanceIdentityLeaf, data: try Self.data(request, sans: ["b.example.com"]))
        #expect(iidTokenSANs.dnsNames == ["b.example.com"])
    }

    @Test("intermediate and root templates: CA basic constraints and certSign/crlSign")
    func caTemplates() throws {
        let data = try Self.data(try Self.csr())
        let intermediate = try X509TemplateRenderer.render(X509TemplateTexts.intermediate, data: data)
        #expect(intermediate.basicConstraints?.isCA == true && intermediate.basicConstraints?.maxPathLen == 0)
        #expect(intermediate.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
        let root = try X509TemplateRenderer.render(X509TemplateTexts.root, data: data)
        #expect(root.basicConstraints?.maxPathLen == 1)
    }

    @Test("the certificate JSON model: every member, string-or-list values, case-insensitive names")
    func decodeModel() throws {
        let model = try CertificateTemplate.decode(#"""
        {"Subject": {"country": "DE", "organization": ["A", "B"], "commonName": "x", "serialNumber": "42",
                     "extraNames": [{"type": "1.2.840.113549.1.9.1", "value": "pki@example.com"}]},
         "serialNumber": "0x0102ff", "dnsNames": "one.example.com", "ipAddresses": ["192.0.2.1", "2001:db8::2"],
         "sans": [{"type": "auto", "value": "me@example.com"}, {"type": "DNS", "value": "two.example.com"},
                  {"type": "permanentIdentifier", "value": "SN-1"}, {"type": "registeredID", "value": "1.2.3.4"}],
         "notBefore": "2030-01-02T03:04:05Z", "notAfter": "2030-01-03T03:04:05Z",
         "keyUsage": ["digital_signature", "KeyAgreement", "nonRepudiation"], "extKeyUsage": "ocspSigning",
         "unknownExtKeyUsage": ["1.3.6.1.4.1.99999.1"], "basicConstraints": {"isCA": true, "maxPathLen": -1},
         "nameConstraints": {"critical": true, "permittedDNSDomains": [".example.com"], "excludedIPRanges": ["10.0.0.0/8"]},
         "extensions": [{"id": "1.2.3.4.5", "critical": true, "value": "BQA="}],
         "crlDistributionPoints": "http://crl.example.com/a.crl", "policyIdentifiers": ["2.23.140.1.2.1"],
         "ocspServer": ["http://ocsp.example.com"], "signatureAlgorithm": "ECDSA-SHA384", "unknownMember": 1}
        """#)
        #expect(model.subject.fields.country == ["DE"] && model.subject.fields.organization == ["A", "B"])
        #expect(model.subject.fields.serialNumber == "42" && model.subject.extraNames.map(\.value) == ["pki@example.com"])
        #expect(model.serialNumber == [0x01, 0x02, 0xff])
        #expect(model.dnsNames == ["one.example.com", "two.example.com"])
        #expect(model.ipAddresses.count == 2 && model.ipAddresses[1].count == 16)
        #expect(model.emailAddresses == ["me@example.com"])
        #expect(model.otherNames.count == 2)
        #expect(model.notBefore == Date(timeIntervalSince1970: 1_893_553_445))
        #expect(model.keyUsage == KeyUsage(digitalSignature: true, nonRepudiation: true, keyAgreement: true))
        #expect(model.extKeyUsage == [[1, 3, 6, 1, 5, 5, 7, 3, 9]])
        #expect(model.basicConstraints?.maxPathLen == -1)
        #expect(model.nameConstraints?.critical == true && model.nameConstraints?.excludedIPRanges.first?.mask == [255, 0, 0, 0])
        #expect(model.extensions.first?.critical == true && Array(model.extensions.first?.value ?? []) == [5, 0])
        #expect(model.crlDistributionPoints == ["http://crl.example.com/a.crl"])
        #expect(model.signatureAlgorithm == .ecdsaWithSHA384)
        #expect(try CertificateTemplate.decode(#"{"subject": "plain"}"#).subject.fields.commonName == "plain")
    }

    @Test("rendered output that is not a certificate is refused with a reason",
          arguments: [
            ("not json", "at offset"), (#"{"subject": 5}"#, "Certificate.subject"), (#"{"dnsNames": [1]}"#, "dnsNames[0]"),
            (#"{"keyUsage": ["flying"]}"#, "unsupported keyUsage flying"), (#"{"extKeyUsage": "teleport"}"#, "unsupported extKeyUsage"),
            (#"{"ipAddresses": "999.1.1.1"}"#, "invalid ip address"), (#"{"sans": [{"type": "x400Address", "value": "x"}]}"#, "unsupported subject alternative name type"),
            (#"{"extensions": [{"id": "1.2.x", "value": ""}]}"#, "invalid object identifier"), (#"{"serialNumber": "0xZZ"}"#, "serial number"),
            (#"{"notAfter": "tomorrow"}"#, "RFC 3339"), (#"{"signatureAlgorithm": "MD5-RSA"}"#, "unsupported signatureAlgorithm"),
            (#"{"nameConstraints": {"permittedIPRanges": ["10.0.0.0/33"]}}"#, "invalid CIDR"), (#"{} {}"#, "after top-level value"),
          ])
    func badModel(text: String, reason: String) {
        #expect {
            _ = try CertificateTemplate.decode(text)
        } throws: { error in
            (error as? CertificateTemplateError)?.message.contains(reason) == true
        }
    }

    @Test("the extensions' DER, read back by swift-certificates, in Go's order with the provisioner extension before the template's own")
    func extensionsDER() throws {
        let request = try Self.csr()
        var model = try CertificateTemplate.decode(#"""
        {"subject": {"commonName": "x"}, "dnsNames": ["a.example.com"], "emailAddresses": ["m@example.com"],
         "keyUsage": ["certSign"], "extKeyUsage": ["serverAuth"], "basicConstraints": {"isCA": true, "maxPathLen": 0},
         "ocspServer": "http://ocsp.example.com", "issuingCertificateURL": "http://ca.example.com/ca.crt",
         "nameConstraints": {"permittedDNSDomains": ["example.com"]}, "crlDistributionPoints": ["http://crl.example.com/1.crl"],
         "policyIdentifiers": ["2.23.140.1.2.1"], "extensions": [{"id": "1.2.3.4", "value": "BQA="},
         {"id": "1.3.6.1.4.1.37476.9000.64.1", "value": "BQA="}]}
        """#)
        model.applyDefaultSubject(.init(country: ["DE"], organization: ["Acme"], commonName: ["ignored"]))
        let provisioner = try ProvisionerExtension(type: 1, name: "p", credentialID: "k").makeExtension()
        let issuerKey = Certificate.PublicKey(P256.Signing.PrivateKey().publicKey)
        let extensions = try model.extensions(publicKey: request.publicKey,
                                              authorityKeyIdentifier: AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier),
                                              provisionerExtension: provisioner, subjectIsEmpty: false)
        #expect(extensions.map(\.oid.description) == ["2.5.29.15", "2.5.29.37", "2.5.29.19", "2.5.29.14", "2.5.29.35", "1.3.6.1.5.5.7.1.1",
                                                      "2.5.29.17", "2.5.29.32", "2.5.29.30", "2.5.29.31", "1.3.6.1.4.1.37476.9000.64.1", "1.2.3.4"])
        #expect(try extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try extensions.subjectAlternativeNames.map(Array.init) == [GeneralName.dnsName("a.example.com"), .rfc822Name("m@example.com")])
        #expect(try extensions.nameConstraints?.permittedDNSDomains.map { $0 } == ["example.com"])
        let access = try #require(try extensions.authorityInformationAccess)
        #expect(access.map(\.location) == [.uniformResourceIdentifier("http://ocsp.example.com"), .uniformResourceIdentifier("http://ca.example.com/ca.crt")])
        #expect(extensions[oid: ProvisionerExtension.oid]?.value == provisioner.value)
        let name = try model.distinguishedName()
        // DER order C, O, CN (the description prints RFC 4514's reverse order).
        #expect(name.map { $0.first?.type } == [.RDNAttributeType.countryName, .RDNAttributeType.organizationName, .RDNAttributeType.commonName])
        #expect(name.description == "CN=x,O=Acme,C=DE")
    }

    @Test("asn1Enc, asn1Marshal, asn1Seq and asn1Set make base64 DER")
    func asn1Functions() throws {
        let data = TemplateValue.dict([:])
        #expect(try Self.render(#"{{ asn1Enc "int:5" }}"#, data) == "AgEF")
        #expect(try Self.render(#"{{ asn1Enc "oid:1.2.3" }}"#, data) == "BgIqAw==")
        #expect(try Self.render(#"{{ asn1Enc "bool:true" }}"#, data) == "AQH/")
        #expect(try Self.render(#"{{ asn1Enc "utf8:é" }}"#, data) == Data([0x0c, 0x02, 0xc3, 0xa9]).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Enc "ia5:a@b" }}"#, data) == Data([0x16, 0x03, 0x61, 0x40, 0x62]).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Enc "abc" }}"#, data) == Data([0x13, 0x03, 0x61, 0x62, 0x63]).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Enc "utc:2030-01-02T03:04:05Z" }}"#, data) == Data([0x17, 0x0d] + Array("300102030405Z".utf8)).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Marshal "x@y" }}"#, data) == Data([0x0c, 0x03] + Array("x@y".utf8)).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Marshal "xy" "ia5" }}"#, data) == Data([0x16, 0x02] + Array("xy".utf8)).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Seq (asn1Enc "int:1") (asn1Enc "bool:false") }}"#, data) == Data([0x30, 0x06, 0x02, 0x01, 0x01, 0x01, 0x01, 0x00]).base64EncodedString())
        #expect(try Self.render(#"{{ asn1Set (asn1Enc "int:1") }}"#, data) == Data([0x31, 0x03, 0x02, 0x01, 0x01]).base64EncodedString())
        #expect(throws: TemplateError.self) { try Self.render(#"{{ asn1Enc "int:x" }}"#, data) }
    }

    @Test("fail in a template is a 400 with its message; other template errors are 500s")
    func failures() throws {
        let data = try Self.data(try Self.csr())
        #expect {
            _ = try X509TemplateRenderer.render(#"{{ fail "no wildcards here" }}"#, data: data)
        } throws: { error in
            let api = error as? APIError
            return api?.status == 400 && api?.message == "The request could not be completed: no wildcards here."
        }
        #expect {
            _ = try X509TemplateRenderer.render(#"{{ .Insecure.CR.Nope }}"#, data: data)
        } throws: { error in (error as? APIError)?.status == 500 }
        #expect {
            _ = try X509TemplateRenderer.render(#"{"subject": {{ .Subject.CommonName }}}"#, data: data)
        } throws: { error in
            let api = error as? APIError
            return api?.status == 500 && api?.message == "error applying certificate template"
        }
    }

    @Test("serial numbers in decimal and with 0x/0o/0b prefixes")
    func serials() {
        #expect(BigSerial.parse("0") == [0])
        #expect(BigSerial.parse("256") == [1, 0])
        #expect(BigSerial.parse("0x0a0B") == [0x0a, 0x0b])
        #expect(BigSerial.parse("0o777") == [0x01, 0xff])
        #expect(BigSerial.parse("0b1000000001") == [0x02, 0x01])
        #expect(BigSerial.parse("340282366920938463463374607431768211456") == [1] + [UInt8](repeating: 0, count: 16))
        #expect(BigSerial.parse("-1") == nil && BigSerial.parse("0x") == nil && BigSerial.parse("12a") == nil)
    }
}
