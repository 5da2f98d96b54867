import NamePolicy
import Testing

/// A rule value that must be refused, and a fragment of the reason.
struct BadRule: Sendable, CustomTestStringConvertible {
    let kind: NameRuleKind
    let value: String
    let fragment: String
    init(_ kind: NameRuleKind, _ value: String, _ fragment: String) {
        self.kind = kind
        self.value = value
        self.fragment = fragment
    }
    var testDescription: String { "\(kind.rawValue) \(value.debugDescription)" }
}

@Suite("Rule values are validated and normalised")
struct RuleValidationTests {
    static let bad: [BadRule] = [
        BadRule(.dns, "*.*.example.com", "wildcard only as the leading label"),
        BadRule(.dns, "*example.com", "wildcard only as the leading label"),
        BadRule(.dns, "example.*.com", "wildcard only as the leading label"),
        BadRule(.dns, ".example.com", #"not ".domain""#),
        BadRule(.dns, "a..b", "empty label"),
        BadRule(.dns, "", "empty"),
        BadRule(.dns, "   ", "empty"),
        BadRule(.dns, "*", "alone is not a domain"),
        BadRule(.dns, "exa mple.com", "not a valid domain name"),
        BadRule(.dns, "under_score.com", "not a valid domain name"),
        BadRule(.dns, "example.com.", "cannot end with a period"),
        BadRule(.dns, "xn---bla.jp", "not valid Punycode"),
        BadRule(.commonName, "*", "not supported as a common name rule"),
        BadRule(.commonName, " ", "empty"),
        BadRule(.ip, "10.0.0.0/33", "not an IP address or CIDR range"),
        BadRule(.ip, "10.0.0.256", "not an IP address or CIDR range"),
        BadRule(.ip, "010.0.0.1", "not an IP address or CIDR range"),
        BadRule(.ip, "fe80::1%eth0", "not an IP address or CIDR range"),
        BadRule(.ip, "example.com", "not an IP address or CIDR range"),
        BadRule(.ip, "", "not an IP address or CIDR range"),
        BadRule(.ip, "10.0.0.0/", "not an IP address or CIDR range"),
        BadRule(.ip, " 10.0.0.1", "not an IP address or CIDR range"),
        BadRule(.ip, "1:2:3:4:5:6:7:8:9", "not an IP address or CIDR range"),
        BadRule(.ip, "2001:db8::/129", "not an IP address or CIDR range"),
        BadRule(.email, "*@example.com", #"cannot contain "*""#),
        BadRule(.email, "a@b@c", #"more than one "@""#),
        BadRule(.email, ".example.com", "cannot start with a period"),
        BadRule(.email, "@", "missing"),
        BadRule(.email, "a..b@example.com", "not an RFC 2821 mailbox"),
        BadRule(.email, "", "empty"),
        BadRule(.uri, "https://example.com", "remove the scheme"),
        BadRule(.uri, "example.com:8443", "cannot contain a port"),
        BadRule(.uri, "10.0.0.1", "cannot be an IP address"),
        BadRule(.uri, "::1", "cannot be an IP address"),
        BadRule(.uri, "[::1]", "square brackets"),
        BadRule(.uri, "*.*.example.com", "wildcard only as the leading label"),
        BadRule(.uri, ".example.com", #"not ".domain""#),
        BadRule(.uri, "", "empty"),
    ]

    @Test("unusable rule values are refused with a reason", arguments: bad)
    func refused(_ rule: BadRule) {
        do {
            let normalized = try rule.kind.normalize(rule.value)
            Issue.record("accepted as \(normalized.debugDescription)")
        } catch {
            #expect(error.reason.contains(rule.fragment), "\(error.reason)")
        }
    }

    static let good: [(NameRuleKind, String, String)] = [
        (.dns, "*.Example.COM", ".example.com"),
        (.dns, "*.bücher.de", ".xn--bcher-kva.de"),
        (.dns, " host.local ", "host.local"),
        (.email, "@Example.com", "example.com"),
        (.email, "Alice@Example.COM", "alice@example.com"),
        (.email, "@例.jp", "xn--fsq.jp"),
        (.uri, "*.example.com", ".example.com"),
        (.uri, "Bücher.example.com", "xn--bcher-kva.example.com"),
        (.commonName, " Alice ", "alice"),
        (.ip, "10.0.0.0/8", "10.0.0.0/8"),
        (.ip, "2001:DB8::1", "2001:DB8::1"),
        (.principal, " Bob ", " Bob "),
    ]

    @Test("usable rule values are normalised", arguments: good)
    func normalised(_ kind: NameRuleKind, _ value: String, _ expected: String) throws {
        #expect(try kind.normalize(value) == expected)
    }

    @Test("engines name the list and position of the first bad value")
    func engineErrors() {
        #expect(throws: NameRuleError(scope: "allow", kind: .dns, index: 1, value: "*.*.example.com",
                                      reason: "wildcard only as the leading label")) {
            try X509NamePolicy(allow: L(dns: ["example.com", "*.*.example.com"]))
        }
        #expect(throws: NameRuleError(scope: "deny", kind: .uri, index: 2, value: "10.0.0.1",
                                      reason: "URI rules cannot be an IP address")) {
            try X509NamePolicy(deny: L(uri: ["a.example.com", "*.example.com", "10.0.0.1"]))
        }
        #expect(throws: NameRuleError(scope: "host.allow", kind: .dns, index: 0, value: "*.*.x",
                                      reason: "wildcard only as the leading label")) {
            try SSHNamePolicy(host: SSHNameRuleSet(allow: S(dns: ["*.*.x"])))
        }
        #expect(throws: NameRuleError(scope: "user.deny", kind: .email, index: 1, value: "*@x",
                                      reason: #"email rules cannot contain "*"; use "@domain" for every mailbox at a domain"#)) {
            try SSHNamePolicy(user: SSHNameRuleSet(deny: S(email: ["@x", "*@x"])))
        }
        let error = NameRuleError(scope: "allow", kind: .dns, index: 1, value: "*.*.example.com",
                                  reason: "wildcard only as the leading label")
        #expect(error.description == #"allow.dns[1] "*.*.example.com": wildcard only as the leading label"#)
        #expect(error.path == "allow.dns[1]")
    }
}
