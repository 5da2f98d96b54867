import Foundation
import Testing

/// `authority.policy` on a live CA: /sign allowed and refused with step-ca's 403 body, names
/// added by a template are checked too, and a renewal is refused once the policy no longer
/// allows the certificate's names.
@Suite("live API: name policies", .serialized, .enabled(if: APITools.runnable))
struct NamePolicyLiveTests {
    static let policy: [String: Any] = [
        "x509": ["allow": ["dns": ["*.example.com"], "ip": ["10.0.0.0/8"]], "deny": ["dns": ["bad.example.com"]]],
    ]
    /// Adds the request's `templateData.extra` as a DNS name.
    static let template = #"{"subject": {{ toJson .Subject }}, "sans": {{ toJson (concat .SANs (list (dict "type" "dns" "value" (default "www.example.com" .Insecure.User.extra)))) }}, "keyUsage": ["digitalSignature"]}"#

    static func configure(policy: [String: Any], template: Bool) -> (String) throws -> String {
        CRLLive.editing { config in
            var authority = config["authority"] as? [String: Any] ?? [:]
            authority["policy"] = policy
            if template {
                var provisioners = authority["provisioners"] as? [[String: Any]] ?? []
                provisioners[0]["options"] = ["x509": ["template": Self.template]]
                authority["provisioners"] = provisioners
            }
            config["authority"] = authority
        }
    }

    func sign(_ ca: LiveCA, _ commonName: String, sans: [String], extra: String? = nil) throws -> HTTPResult {
        let csr = try ca.makeCSR(.p256, commonName: commonName)
        var body = ca.signBody(csr: csr.pem, ott: try ca.token(subject: commonName, sans: sans))
        if let extra { body["templateData"] = ["extra": extra] }
        return try ca.post("/1.0/sign", json: body)
    }

    static func refused(_ text: String) -> String { "The request was forbidden by the certificate authority: \(text)" }

    @Test("/sign: allowed names pass; denied, unlisted and unlisted-type names get step-ca's 403")
    func sign() throws {
        let ca = try LiveCA(adjust: Self.configure(policy: Self.policy, template: false))
        defer { ca.stop() }
        let allowed = try sign(ca, "api.example.com", sans: ["api.example.com", "10.1.2.3"])
        #expect(allowed.status == 201, "\(allowed)")
        Expect.error(try sign(ca, "bad.example.com", sans: ["bad.example.com"]), status: 403,
                     message: Self.refused(#"dns name "bad.example.com" not allowed"#))
        Expect.error(try sign(ca, "api.example.org", sans: ["api.example.org"]), status: 403,
                     message: Self.refused(#"dns name "api.example.org" not allowed"#))
        Expect.error(try sign(ca, "a.b.example.com", sans: ["a.b.example.com"]), status: 403,
                     message: Self.refused(#"dns name "a.b.example.com" not allowed"#))
        Expect.error(try sign(ca, "api.example.com", sans: ["api.example.com", "192.168.1.1"]), status: 403,
                     message: Self.refused(#"ip name "192.168.1.1" not allowed"#))
        // Email has no rules while allow rules exist: refused.
        Expect.error(try sign(ca, "api.example.com", sans: ["api.example.com", "ops@example.com"]), status: 403,
                     message: Self.refused(#"email name "ops@example.com" not allowed"#))
        // A wildcard name never matches unless allowWildcardNames.
        Expect.error(try sign(ca, "*.example.com", sans: ["*.example.com"]), status: 403,
                     message: Self.refused(#"dns name "*.example.com" not allowed"#))
        #expect(try ca.sqlite("SELECT count(*) FROM x509_certs;") == "1")
        try Expect.healthy(ca)
    }

    @Test("names a template adds are checked on the final certificate")
    func templateNames() throws {
        let ca = try LiveCA(adjust: Self.configure(policy: Self.policy, template: true))
        defer { ca.stop() }
        #expect(try sign(ca, "api.example.com", sans: ["api.example.com"]).status == 201)
        #expect(try sign(ca, "api.example.com", sans: ["api.example.com"], extra: "db.example.com").status == 201)
        Expect.error(try sign(ca, "api.example.com", sans: ["api.example.com"], extra: "evil.example.net"), status: 403,
                     message: Self.refused(#"dns name "evil.example.net" not allowed"#))
    }

    @Test("a renewal is refused once a reloaded policy denies the certificate's names")
    func renewAfterTightening() throws {
        let ca = try LiveCA(adjust: Self.configure(policy: Self.policy, template: false))
        defer { ca.stop() }
        let leaf = try ca.issue(commonName: "keep.example.com", sans: ["keep.example.com"])
        let renewed = try ca.send(.post("/1.0/renew", body: nil, client: leaf.identity))
        #expect(renewed.status == 201, "\(renewed)")

        let configURL = URL(fileURLWithPath: ca.configPath)
        let text = try String(contentsOf: configURL, encoding: .utf8)
        var tightened = Self.policy
        tightened["x509"] = ["allow": ["dns": ["*.example.com"]], "deny": ["dns": ["keep.example.com"]]]
        try Self.configure(policy: tightened, template: false)(text).write(to: configURL, atomically: true, encoding: .utf8)
        let marker = ca.serverOutput.components(separatedBy: "Reloaded the configuration").count
        ca.reload()
        let deadline = Date().addingTimeInterval(20)
        while ca.serverOutput.components(separatedBy: "Reloaded the configuration").count == marker && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Expect.error(try ca.send(.post("/1.0/renew", body: nil, client: leaf.identity)), status: 403,
                     message: Self.refused(#"dns name "keep.example.com" not allowed"#))
        try Expect.healthy(ca)
    }
}
