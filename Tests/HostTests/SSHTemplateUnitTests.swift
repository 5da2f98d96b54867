import Foundation
import GoTemplate
import NamePolicy
import Testing
@testable import Host

/// SSH certificate templates: step's template data, the built-in templates, the SSH certificate
/// JSON model, and the name policy on the rendered principals.
@Suite("SSH template units")
struct SSHTemplateUnitTests {
    static let key = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEx= alice"

    static func data(_ type: SSHCertificateKind, principals: [String] = ["alice", "alice@example.com"],
                     requested: [String] = ["alice"], provisioner: String? = nil, user: String? = nil) throws -> TemplateValue {
        SSHTemplateData.make(
            type: type, keyID: "alice@example.com", principals: principals,
            request: .init(type: type, keyID: "alice-laptop", principals: requested, publicKey: key),
            tokenPayload: Data(#"{"sub":"alice@example.com","step":{"ssh":{"certType":"user"}}}"#.utf8),
            provisionerData: try provisioner.map { try TemplateValue(json: $0) },
            userData: X509TemplateData.userData(json: user.map { Data($0.utf8) }))
    }

    @Test("the default template: user certificates get the five permit-* extensions, host certificates none")
    func defaultTemplate() throws {
        let user = try SSHTemplateRenderer.render(SSHTemplateTexts.default, data: try Self.data(.user))
        #expect(user.type == .user && user.keyID == "alice@example.com" && user.principals == ["alice", "alice@example.com"])
        #expect(user.extensions == Dictionary(uniqueKeysWithValues: SSHTemplateData.defaultUserExtensions.map { ($0, "") }))
        #expect(user.criticalOptions.isEmpty)
        let host = try SSHTemplateRenderer.render(SSHTemplateTexts.default, data: try Self.data(.host, principals: ["web1.example.com"]))
        #expect(host.type == .host && host.extensions.isEmpty && host.principals == ["web1.example.com"])
    }

    @Test("admin, instance-identity and request-as-is templates take what the request asked for")
    func requestTemplates() throws {
        let admin = try SSHTemplateRenderer.render(SSHTemplateTexts.admin, data: try Self.data(.user))
        #expect(admin.keyID == "alice-laptop" && admin.principals == ["alice"] && admin.extensions.count == 5)
        let adminHost = try SSHTemplateRenderer.render(SSHTemplateTexts.admin, data: try Self.data(.host))
        #expect(adminHost.extensions.isEmpty)
        let iid = try SSHTemplateRenderer.render(SSHTemplateTexts.instanceIdentity, data: try Self.data(.host, principals: ["i-123"], requested: []))
        #expect(iid.principals == ["i-123"])
        let iidRequested = try SSHTemplateRenderer.render(SSHTemplateTexts.instanceIdentity, data: try Self.data(.host, principals: ["i-123"], requested: ["web"]))
        #expect(iidRequested.principals == ["web"])
        let asIs = try SSHTemplateRenderer.render(SSHTemplateTexts.certificateRequest, data: try Self.data(.user))
        #expect(asIs.keyID == "alice-laptop" && asIs.extensions["permit-pty"] == "")
    }

    @Test("a custom template: force-command and source-address from data, principals rewritten, fail → 400")
    func customTemplate() throws {
        let text = #"""
        {{- if not (hasSuffix "@example.com" .Token.sub) }}{{ fail "only example.com users" }}{{ end -}}
        {
        	"type": {{ toJson .Type }},
        	"keyId": {{ toJson .KeyID }},
        	"principals": {{ toJson (append .Principals (printf "%s-admin" (index .Principals 0))) }},
        	"extensions": {"permit-pty": ""},
        	"criticalOptions": {"force-command": {{ toJson .ForceCommand }}, "source-address": {{ toJson (default "0.0.0.0/0" .Insecure.User.source) }}},
        	"validBefore": "2031-01-01T00:00:00Z"
        }
        """#
        let model = try SSHTemplateRenderer.render(text, data: try Self.data(.user, provisioner: #"{"ForceCommand": "/usr/bin/rsync --server"}"#,
                                                                            user: #"{"source": "10.0.0.0/8"}"#))
        #expect(model.principals == ["alice", "alice@example.com", "alice-admin"])
        #expect(model.criticalOptions == ["force-command": "/usr/bin/rsync --server", "source-address": "10.0.0.0/8"])
        #expect(model.extensions == ["permit-pty": ""])
        #expect(model.validBefore == Date(timeIntervalSince1970: 1_924_992_000))
        let outsider = SSHTemplateData.make(
            type: .user, keyID: "eve", principals: ["eve"], request: .init(type: .user, keyID: "eve", principals: ["eve"], publicKey: Self.key),
            tokenPayload: Data(#"{"sub":"eve@evil.test"}"#.utf8), provisionerData: nil, userData: nil)
        #expect {
            _ = try SSHTemplateRenderer.render(text, data: outsider)
        } throws: { error in
            (error as? APIError)?.status == 400 && (error as? APIError)?.message == "The request could not be completed: only example.com users."
        }
    }

    @Test("the SSH certificate JSON: members, serial, nonce; bad output refused", arguments: [
        (#"{"type": "sideways"}"#, "unknown certificate type"), (#"{"principals": "alice"}"#, "type array"),
        (#"{"extensions": {"permit-pty": 1}}"#, "type string"), (#"{"serial": -1}"#, "uint64"), (#"{"validAfter": "soon"}"#, "RFC 3339"),
    ])
    func model(text: String, reason: String) throws {
        let good = try SSHCertificateTemplate.decode(#"{"Type": "HOST", "keyID": "k", "serial": 18446744073709551615, "nonce": "AAEC", "reserved": null}"#)
        #expect(good.type == .host && good.keyID == "k" && good.serial == .max && good.nonce == [0, 1, 2])
        #expect {
            _ = try SSHCertificateTemplate.decode(text)
        } throws: { error in
            (error as? CertificateTemplateError)?.message.contains(reason) == true
        }
    }

    @Test("the rendered principals go through the SSH name policy")
    func policy() throws {
        let rules = SSHNameRuleSet(allow: SSHNameLists(emailAddresses: ["@example.com"], principals: ["alice"]))
        let engine = try SSHNamePolicy(user: rules, host: nil)
        let model = try SSHTemplateRenderer.render(SSHTemplateTexts.default, data: try Self.data(.user))
        #expect(engine.check(.user, principals: model.principals) == nil)
        let wider = try SSHTemplateRenderer.render(SSHTemplateTexts.default, data: try Self.data(.user, principals: ["root"]))
        #expect(engine.check(.user, principals: wider.principals)?.message == #"principal name "root" not allowed"#)
        #expect(engine.check(.host, principals: ["web1.example.com"]) != nil)
    }
}
