import Foundation
import StepConfig
import Testing

@Suite("authority.policy rule values are validated at load")
struct PolicyValidationTests {
    static let x509 = "authority.policy.x509"
    static let ssh = "authority.policy.ssh"

    static let cases: [BrokenCase] = [
        BrokenCase("x509 dns double wildcard", [.set("\(x509).allow.dns", ["example.com", "*.*.example.com"])],
                   .invalidValue, at: "\(x509).allow.dns[1]",
                   #"invalid dns rule "*.*.example.com": wildcard only as the leading label"#),
        BrokenCase("x509 dns leading dot", [.set("\(x509).deny.dns", [".example.com"])],
                   .invalidValue, at: "\(x509).deny.dns[0]", #"not ".domain""#),
        BrokenCase("x509 dns null element is empty", [.set("\(x509).allow.dns", ["a.example.com", NSNull()] as [Any])],
                   .invalidValue, at: "\(x509).allow.dns[1]", "cannot be empty"),
        BrokenCase("x509 ip CIDR out of range", [.set("\(x509).deny.ip", ["10.0.0.0/33"])],
                   .invalidValue, at: "\(x509).deny.ip[0]", #"invalid ip rule "10.0.0.0/33": not an IP address or CIDR range"#),
        BrokenCase("x509 ip not an address", [.set("\(x509).allow.ip", ["10.0.0.0/8", "example.com"])],
                   .invalidValue, at: "\(x509).allow.ip[1]", "not an IP address or CIDR range"),
        BrokenCase("x509 cn wildcard", [.set("\(x509).allow.cn", ["*"])],
                   .invalidValue, at: "\(x509).allow.cn[0]", "not supported as a common name rule"),
        BrokenCase("x509 commonName key wildcard", [.set("\(x509).allow.commonName", ["ok", "*"])],
                   .invalidValue, at: "\(x509).allow.commonName[1]", "not supported as a common name rule"),
        BrokenCase("x509 email asterisk", [.set("\(x509).allow.email", ["*@example.com"])],
                   .invalidValue, at: "\(x509).allow.email[0]", #"cannot contain "*""#),
        BrokenCase("x509 uri with scheme", [.set("\(x509).deny.uri", ["a.example.com", "*.example.com", "https://example.com"])],
                   .invalidValue, at: "\(x509).deny.uri[2]", "remove the scheme"),
        BrokenCase("x509 uri with port", [.set("\(x509).allow.uri", ["example.com:8443"])],
                   .invalidValue, at: "\(x509).allow.uri[0]", "cannot contain a port"),
        BrokenCase("x509 uri IP", [.set("\(x509).allow.uri", ["10.0.0.1"])],
                   .invalidValue, at: "\(x509).allow.uri[0]", "cannot be an IP address"),
        BrokenCase("ssh host dns leading dot", [.set("\(ssh).host.allow.dns", [".example.com"])],
                   .invalidValue, at: "\(ssh).host.allow.dns[0]", #"invalid dns rule ".example.com""#),
        BrokenCase("ssh host ip", [.set("\(ssh).host.deny.ip", ["10.0.0.1", "bad"])],
                   .invalidValue, at: "\(ssh).host.deny.ip[1]", "not an IP address or CIDR range"),
        BrokenCase("ssh user email two @", [.set("\(ssh).user.deny.email", ["a@b@c"])],
                   .invalidValue, at: "\(ssh).user.deny.email[0]", #"more than one "@""#),
        BrokenCase("ssh user email wildcard", [.set("\(ssh).user.allow.email", ["@example.com", "*@example.com"])],
                   .invalidValue, at: "\(ssh).user.allow.email[1]", #"cannot contain "*""#),
        BrokenCase("rule list of the wrong type", [.set("\(x509).allow.dns", "example.com")],
                   .typeMismatch, at: "\(x509).allow.dns", "expected an array of strings"),
    ]

    @Test("each bad rule fails at its JSON path", arguments: cases)
    func fails(_ broken: BrokenCase) {
        do {
            _ = try CAConfig.parse(Data(broken.json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == broken.code, "\(error)")
            #expect(error.path.description == broken.path, "\(error)")
            #expect(error.message.hasPrefix("config/ca.json: \(broken.path): "), "\(error.message)")
            #expect(error.message.contains(broken.fragment), "\(error.message)")
            #expect(error.line != nil && error.column != nil, "\(error)")
            #expect(error.additionalErrors.isEmpty, "\(error)")
        }
    }

    @Test("every bad rule is reported")
    func several() {
        let json = ConfigMutation.json([.set("\(Self.x509).allow.dns", ["*.*.a", "ok.example.com", "b..c"]),
                                        .set("\(Self.ssh).user.deny.email", ["*"])])
        do {
            _ = try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
            Issue.record("expected an error")
        } catch {
            let paths = Set(error.allErrors.map(\.path.description))
            #expect(paths == ["\(Self.x509).allow.dns[0]", "\(Self.x509).allow.dns[2]", "\(Self.ssh).user.deny.email[0]"],
                    "\(error)")
        }
    }

    @Test("a valid policy loads unchanged")
    func valid() throws {
        let json = ConfigMutation.json([
            .set("\(Self.x509).allow", ["cn": ["Alice"], "dns": ["*.Example.com", "bücher.de"], "ip": ["10.0.0.0/8", "2001:db8::1"],
                                         "email": ["@example.com", "ops@example.com"], "uri": ["*.example.com"]]),
            .set("\(Self.x509).deny", ["dns": ["bad.example.com"]]),
            .set("\(Self.x509).allowWildcardNames", true),
            .set("\(Self.ssh).user.allow", ["principal": ["*", " Bob "], "email": ["@example.com"]]),
            .set("\(Self.ssh).host.allow", ["dns": ["*.example.com"], "ip": ["10.0.0.0/8"]]),
        ])
        let (config, _) = try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
        let policy = try #require(config.authority.policy)
        #expect(policy.x509?.allow?.dnsDomains == ["*.Example.com", "bücher.de"])
        #expect(policy.x509?.allowWildcardNames == true)
        #expect(policy.ssh?.user?.allow?.principals == ["*", " Bob "])
        #expect(policy.ssh?.host?.allow?.ipRanges == ["10.0.0.0/8"])
    }
}
