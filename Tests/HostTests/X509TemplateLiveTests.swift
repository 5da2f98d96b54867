import Foundation
import Testing
import X509
@testable import Host

/// Custom X.509 templates through POST /sign on a live CA, read back with openssl and Python's
/// cryptography: inline, base64 and file templates, provisioner and request templateData, SAN
/// rewriting, custom extensions, CA profiles, `fail`, and templates that break.
@Suite("live API: X.509 templates", .serialized, .enabled(if: APITools.runnable))
struct X509TemplateLiveTests {
    /// A template in the style operators write: request-driven `fail`, subject from data and
    /// defaults, SANs from the token plus a rewritten one, custom extensions and URLs.
    static let richTemplate = #"""
    {{- if .Insecure.User.fail }}{{ fail (printf "refusing %s" .Insecure.User.fail) }}{{ end -}}
    {
    	"subject": {
    		"commonName": {{ toJson .Subject.CommonName }},
    		"organization": {{ toJson .Organization }},
    		"organizationalUnit": {{ toJson (default "general" .Insecure.User.team) }},
    		"extraNames": [{"type": "1.2.840.113549.1.9.1", "value": "pki@example.com"}]
    	},
    	"sans": {{ toJson (append .SANs (dict "type" "dns" "value" (printf "%s.mesh.example.net" (splitList "." .Token.sub | first)))) }},
    	"keyUsage": ["digitalSignature", "keyAgreement"],
    	"extKeyUsage": ["clientAuth", "codeSigning"],
    	"unknownExtKeyUsage": ["1.3.6.1.4.1.99999.1"],
    	"extensions": [{"id": "1.3.6.1.4.1.99999.2", "critical": false, "value": {{ asn1Enc (printf "utf8:%s" .Token.sub) | toJson }}}],
    	"policyIdentifiers": ["1.3.6.1.4.1.99999.3"],
    	"crlDistributionPoints": ["http://crl.example.com/leaf.crl"],
    	"ocspServer": "http://ocsp.example.com",
    	"issuingCertificateURL": ["http://ca.example.com/intermediate.crt"]
    }
    """#

    /// A sub-CA profile read from a file: basic and name constraints, serial and validity from
    /// the request's templateData.
    static let fileTemplate = #"""
    {
    	"subject": {"commonName": {{ toJson .Subject.CommonName }}, "organization": "Sub CA"},
    	"serialNumber": {{ toJson .Insecure.User.serial }},
    	"notBefore": {{ toJson .Insecure.User.notBefore }},
    	"notAfter": {{ toJson .Insecure.User.notAfter }},
    	"keyUsage": ["certSign", "crlSign"],
    	"basicConstraints": {"isCA": true, "maxPathLen": 0},
    	"nameConstraints": {"critical": true, "permittedDNSDomains": [".internal.example.com"], "excludedIPRanges": ["10.0.0.0/8"]}
    }
    """#

    static func withProvisionerOptions(_ x509: [String: Any], authorityTemplate: [String: Any]? = nil) -> (String) throws -> String {
        CRLLive.editing { config in
            var authority = config["authority"] as? [String: Any] ?? [:]
            var provisioners = authority["provisioners"] as? [[String: Any]] ?? []
            provisioners[0]["options"] = ["x509": x509]
            authority["provisioners"] = provisioners
            if let authorityTemplate { authority["template"] = authorityTemplate }
            config["authority"] = authority
        }
    }

    /// Reads what the checks need from a certificate with Python's cryptography.
    static let inspector = #"""
    import json, sys
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID
    cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
    out = {"subject": cert.subject.rfc4514_string(), "serial": cert.serial_number, "oids": [e.oid.dotted_string for e in cert.extensions],
           "not_before": int(cert.not_valid_before.timestamp()) if not hasattr(cert, "not_valid_before_utc") else int(cert.not_valid_before_utc.timestamp()),
           "not_after": int(cert.not_valid_after.timestamp()) if not hasattr(cert, "not_valid_after_utc") else int(cert.not_valid_after_utc.timestamp())}
    for e in cert.extensions:
        v = e.value; key = e.oid.dotted_string
        if isinstance(v, x509.SubjectAlternativeName):
            out[key] = {"dns": v.get_values_for_type(x509.DNSName), "ip": [str(i) for i in v.get_values_for_type(x509.IPAddress)]}
        elif isinstance(v, x509.KeyUsage):
            out[key] = [n for n in ["digital_signature", "key_agreement", "key_encipherment", "key_cert_sign", "crl_sign"] if getattr(v, n)]
        elif isinstance(v, x509.ExtendedKeyUsage):
            out[key] = [o.dotted_string for o in v]
        elif isinstance(v, x509.BasicConstraints):
            out[key] = {"ca": v.ca, "path_length": v.path_length, "critical": e.critical}
        elif isinstance(v, x509.NameConstraints):
            out[key] = {"permitted": [str(n.value) for n in (v.permitted_subtrees or [])], "excluded": [str(n.value) for n in (v.excluded_subtrees or [])], "critical": e.critical}
        elif isinstance(v, x509.CRLDistributionPoints):
            out[key] = [n.value for p in v for n in p.full_name]
        elif isinstance(v, x509.AuthorityInformationAccess):
            out[key] = [[d.access_method.dotted_string, d.access_location.value] for d in v]
        elif isinstance(v, x509.CertificatePolicies):
            out[key] = [p.policy_identifier.dotted_string for p in v]
        elif isinstance(v, x509.UnrecognizedExtension):
            out[key] = v.value.hex()
    print(json.dumps(out))
    """#

    static func inspect(_ ca: LiveCA, _ pem: String) throws -> [String: Any]? {
        guard let python3 = APITools.python3, APITools.pythonCryptography else {
            if TestEnvironment.isCI { Issue.record("python3 with the cryptography package is required in CI") }
            return nil
        }
        let path = ca.scratchPath(".pem")
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Run.program(python3, ["-c", inspector, path], timeout: 60)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw APITestError("python could not read the certificate: \(result.stderr)")
        }
        return object
    }

    func sign(_ ca: LiveCA, commonName: String, sans: [String], templateData: [String: Any]? = nil) throws -> HTTPResult {
        let csr = try ca.makeCSR(.p256, commonName: commonName)
        var body = ca.signBody(csr: csr.pem, ott: try ca.token(subject: commonName, sans: sans))
        if let templateData { body["templateData"] = templateData }
        return try ca.post("/1.0/sign", json: body)
    }

    @Test("an inline template with provisioner templateData: subject, rewritten SANs, usages, custom extension, URLs; fail → 400")
    func inlineTemplate() throws {
        let ca = try LiveCA(adjust: Self.withProvisionerOptions(["template": Self.richTemplate, "templateData": ["Organization": ["Acme Ops"]]]))
        defer { ca.stop() }
        let response = try sign(ca, commonName: "api.example.com", sans: ["api.example.com", "10.9.8.7"], templateData: ["team": "payments"])
        try #require(response.status == 201, "\(response)")
        let crt = try #require(response.json?["crt"] as? String)
        let verify = try ca.opensslVerify(crt)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        if let facts = try Self.inspect(ca, crt) {
            #expect(facts["subject"] as? String == "1.2.840.113549.1.9.1=pki@example.com,CN=api.example.com,OU=payments,O=Acme Ops")
            let san = facts["2.5.29.17"] as? [String: [String]]
            #expect(san?["dns"] == ["api.example.com", "api.mesh.example.net"])
            #expect(san?["ip"] == ["10.9.8.7"])
            #expect(facts["2.5.29.15"] as? [String] == ["digital_signature", "key_agreement"])
            #expect(facts["2.5.29.37"] as? [String] == ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.3", "1.3.6.1.4.1.99999.1"])
            // UTF8String "api.example.com".
            #expect(facts["1.3.6.1.4.1.99999.2"] as? String == "0c0f" + Encoding.hex(Array("api.example.com".utf8)))
            #expect(facts["2.5.29.32"] as? [String] == ["1.3.6.1.4.1.99999.3"])
            #expect(facts["2.5.29.31"] as? [String] == ["http://crl.example.com/leaf.crl"])
            #expect((facts["1.3.6.1.5.5.7.1.1"] as? [[String]])?.map { $0[1] } == ["http://ocsp.example.com", "http://ca.example.com/intermediate.crt"])
            #expect(facts["oids"] as? [String] == ["2.5.29.15", "2.5.29.37", "2.5.29.14", "2.5.29.35", "1.3.6.1.5.5.7.1.1", "2.5.29.17",
                                                   "2.5.29.32", "2.5.29.31", LiveCA.provisionerExtensionOID, "1.3.6.1.4.1.99999.2"])
        }
        // Without request data the default team applies.
        let plain = try sign(ca, commonName: "web.example.com", sans: ["web.example.com"])
        try #require(plain.status == 201, "\(plain)")
        if let facts = try Self.inspect(ca, try #require(plain.json?["crt"] as? String)) {
            #expect((facts["subject"] as? String)?.contains("OU=general") == true)
        }
        // `fail` → 400 with the template's message; the token is spent, nothing stored.
        let before = try ca.sqlite("SELECT count(*) FROM x509_certs;")
        let refused = try sign(ca, commonName: "db.example.com", sans: ["db.example.com"], templateData: ["fail": "databases"])
        Expect.error(refused, status: 400, message: StepMessages.badRequest("refusing databases"))
        #expect(try ca.sqlite("SELECT count(*) FROM x509_certs;") == before)
        try Expect.healthy(ca)
    }

    @Test("a template file under STEPPATH: a name-constrained sub-CA with serial and validity from the request; edits apply at once")
    func templateFile() throws {
        let ca = try LiveCA(adjust: Self.withProvisionerOptions(["templateFile": "templates/x509/subca.tpl"]))
        defer { ca.stop() }
        let file = ca.stepPath.appendingPathComponent("templates/x509/subca.tpl")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.fileTemplate.write(to: file, atomically: true, encoding: .utf8)

        let now = Date()
        let notBefore = Encoding.rfc3339(now.addingTimeInterval(-30)), notAfter = Encoding.rfc3339(now.addingTimeInterval(3 * 3600))
        let response = try sign(ca, commonName: "Team Sub CA", sans: ["Team Sub CA"],
                                templateData: ["serial": "0x5eed0001", "notBefore": notBefore, "notAfter": notAfter])
        try #require(response.status == 201, "\(response)")
        let crt = try #require(response.json?["crt"] as? String)
        #expect(try ca.opensslVerify(crt).status == 0)
        if let facts = try Self.inspect(ca, crt) {
            #expect(facts["serial"] as? Int == 0x5eed0001)
            #expect(facts["subject"] as? String == "CN=Team Sub CA,O=Sub CA")
            let constraints = facts["2.5.29.19"] as? [String: Any]
            #expect(constraints?["ca"] as? Bool == true && constraints?["path_length"] as? Int == 0 && constraints?["critical"] as? Bool == true)
            let names = facts["2.5.29.30"] as? [String: Any]
            #expect(names?["permitted"] as? [String] == [".internal.example.com"])
            #expect(names?["excluded"] as? [String] == ["10.0.0.0/8"])
            #expect(names?["critical"] as? Bool == true)
            #expect(facts["2.5.29.15"] as? [String] == ["key_cert_sign", "crl_sign"])
            #expect(facts["not_after"] as? Int == Int(RFC3339Check.parse(notAfter)))
            #expect(facts["not_before"] as? Int == Int(RFC3339Check.parse(notBefore)))
        }
        // The serial is the template's: the record is under it.
        #expect(try ca.sqlite("SELECT count(*) FROM x509_certs;") == "1")

        // The file is read at every issuance.
        try #"{"subject": {"commonName": {{ toJson .Subject.CommonName }}, "organization": "Edited"}, "keyUsage": "digitalSignature"}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let edited = try sign(ca, commonName: "after-edit", sans: ["after-edit"])
        try #require(edited.status == 201, "\(edited)")
        if let facts = try Self.inspect(ca, try #require(edited.json?["crt"] as? String)) {
            #expect(facts["subject"] as? String == "CN=after-edit,O=Edited")
        }
        // A template that renders a serial already used is refused (the record exists), not overwritten.
        try Self.fileTemplate.write(to: file, atomically: true, encoding: .utf8)
        let duplicate = try sign(ca, commonName: "Another", sans: ["Another"],
                                 templateData: ["serial": "0x5eed0001", "notBefore": notBefore, "notAfter": notAfter])
        Expect.error(duplicate, status: 500, message: StepMessages.internalError)
        try FileManager.default.removeItem(at: file)
        Expect.error(try sign(ca, commonName: "gone", sans: ["gone"]), status: 500, message: StepMessages.internalError)
        try Expect.healthy(ca)
    }

    @Test("step-ca's default leaf template given as base64 gives the default leaf; authority.template fills the subject")
    func base64DefaultTemplate() throws {
        let encoded = Data(X509TemplateTexts.leaf.utf8).base64EncodedString()
        let ca = try LiveCA(adjust: Self.withProvisionerOptions(["template": encoded], authorityTemplate: ["country": "DE", "organization": "Anchor"]))
        defer { ca.stop() }
        let response = try sign(ca, commonName: "svc.example.com", sans: ["svc.example.com", "192.0.2.9"])
        try #require(response.status == 201, "\(response)")
        if let facts = try Self.inspect(ca, try #require(response.json?["crt"] as? String)) {
            #expect(facts["subject"] as? String == "CN=svc.example.com,O=Anchor,C=DE")
            #expect(facts["oids"] as? [String] == ["2.5.29.15", "2.5.29.37", "2.5.29.14", "2.5.29.35", "2.5.29.17", LiveCA.provisionerExtensionOID])
            #expect(facts["2.5.29.15"] as? [String] == ["digital_signature"])
            #expect(facts["2.5.29.37"] as? [String] == [LiveCA.serverAuth, LiveCA.clientAuth])
            #expect((facts["2.5.29.17"] as? [String: [String]])?["ip"] == ["192.0.2.9"])
            #expect((facts["not_after"] as? Int ?? 0) - (facts["not_before"] as? Int ?? 0) == 24 * 3600 + 60)
        }
    }

    @Test("templates that break: bad JSON → 500 'error applying certificate template', bad template → 500, the server keeps serving")
    func brokenTemplates() throws {
        let ca = try LiveCA(adjust: Self.withProvisionerOptions(["template": #"{"subject": {{ .Insecure.User.subject }}, "keyUsage": {{ toJson .Insecure.User.usage }}}"#]))
        defer { ca.stop() }
        Expect.error(try sign(ca, commonName: "a", sans: ["a"], templateData: ["subject": "not quoted"]),
                     status: 500, message: "error applying certificate template")
        Expect.error(try sign(ca, commonName: "b", sans: ["b"], templateData: ["subject": "\"b\"", "usage": ["flying"]]),
                     status: 500, message: "error applying certificate template")
        let good = try sign(ca, commonName: "c", sans: ["c"], templateData: ["subject": "\"c\"", "usage": ["digitalSignature"]])
        #expect(good.status == 201, "\(good)")
        try Expect.healthy(ca)
    }
}

/// RFC 3339 to Unix seconds for expectations.
enum RFC3339Check {
    static func parse(_ text: String) -> TimeInterval {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)?.timeIntervalSince1970 ?? -1
    }
}
