import NamePolicy
import Testing

@Suite("Name policy decisions, step-ca's semantics")
struct NamePolicyTableTests {
    static let x509Cases = X509Case.dnsCases + X509Case.ipCases + X509Case.emailCases + X509Case.uriCases
        + X509Case.commonNameCases + X509Case.combinedCases
    static let sshCases = SSHCase.hostCases + SSHCase.userCases + SSHCase.typeCases

    @Test("X.509 certificate names", arguments: x509Cases)
    func x509(_ testCase: X509Case) throws {
        let policy = try X509NamePolicy(allow: testCase.allow, deny: testCase.deny, allowWildcardNames: testCase.wildcards)
        let ips = try testCase.ips.map { try #require(IPAddress($0), "\($0) is an IP") }
        let violation = policy.check(commonName: testCase.cn, dnsNames: testCase.dns, ipAddresses: ips,
                                     emailAddresses: testCase.emails, uris: testCase.uris)
        testCase.outcome.verify(violation, testCase.label)
    }

    @Test("SSH certificate principals", arguments: sshCases)
    func ssh(_ testCase: SSHCase) throws {
        let policy = try SSHNamePolicy(user: testCase.user, host: testCase.host)
        testCase.outcome.verify(policy.check(testCase.kind, principals: testCase.principals), testCase.label)
    }

    @Test("the tables hold at least 150 decisions")
    func size() {
        #expect(Self.x509Cases.count + Self.sshCases.count >= 150)
        #expect(Set(Self.x509Cases.map(\.label)).count == Self.x509Cases.count, "labels are unique")
        #expect(Set(Self.sshCases.map(\.label)).count == Self.sshCases.count, "labels are unique")
    }

    static let sanCases: [(sans: [String], outcome: Outcome)] = [
        (["a.example.com", "10.1.1.1"], .allowed),
        (["mail@example.com"], .denied(#"email name "mail@example.com" not allowed"#)),
        (["https://a.example.com"], .denied(#"uri name "https://a.example.com" not allowed"#)),
        (["b.other.com"], .denied(#"dns name "b.other.com" not allowed"#)),
        (["::ffff:10.2.3.4"], .allowed),
        (["11.0.0.1"], .denied(#"ip name "11.0.0.1" not allowed"#)),
    ]

    @Test("strings classified like step's SplitSANs", arguments: sanCases)
    func sans(_ sans: [String], _ outcome: Outcome) throws {
        let policy = try X509NamePolicy(allow: L(dns: ["*.example.com"], ip: ["10.0.0.0/8"]))
        outcome.verify(policy.check(sans: sans), sans.joined(separator: ","))
    }

    @Test("IP addresses from certificate bytes")
    func ipBytes() throws {
        let policy = try X509NamePolicy(allow: L(ip: ["10.0.0.0/8", "2001:db8::/32"]))
        let v4 = try #require(IPAddress(bytes: [10, 1, 2, 3]))
        let v6 = try #require(IPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]))
        #expect(policy.check(ipAddresses: [v4, v6]) == nil)
        let outside = try #require(IPAddress(bytes: [192, 0, 2, 1]))
        #expect(policy.check(ipAddresses: [outside])?.message == #"ip name "192.0.2.1" not allowed"#)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(v6.description == "2001:db8::1")
    }

    @Test("a policy without rules has none")
    func empty() throws {
        #expect(try X509NamePolicy().hasRules == false)
        #expect(try X509NamePolicy(deny: L(cn: ["x"])).hasRules)
        #expect(try SSHNamePolicy(user: SSHNameRuleSet()).hasRules == false)
        #expect(try SSHNamePolicy(host: SSHNameRuleSet(deny: S(principal: ["x"]))).hasRules)
    }
}
