/// The name lists of an X.509 allow or deny block, as configured (before normalisation).
public struct X509NameLists: Sendable, Equatable {
    /// Subject common names (`cn`).
    public var commonNames: [String]
    /// DNS names and `*.domain` patterns (`dns`).
    public var dnsDomains: [String]
    /// IP addresses and CIDR ranges (`ip`).
    public var ipRanges: [String]
    /// Mailboxes and `domain` / `@domain` patterns (`email`).
    public var emailAddresses: [String]
    /// URI host patterns (`uri`).
    public var uriDomains: [String]

    /// Makes name lists.
    public init(commonNames: [String] = [], dnsDomains: [String] = [], ipRanges: [String] = [],
                emailAddresses: [String] = [], uriDomains: [String] = []) {
        self.commonNames = commonNames
        self.dnsDomains = dnsDomains
        self.ipRanges = ipRanges
        self.emailAddresses = emailAddresses
        self.uriDomains = uriDomains
    }

    /// Whether no list has a value.
    public var isEmpty: Bool {
        commonNames.isEmpty && dnsDomains.isEmpty && ipRanges.isEmpty && emailAddresses.isEmpty && uriDomains.isEmpty
    }

    var byKind: [(NameRuleKind, [String])] {
        [(.commonName, commonNames), (.dns, dnsDomains), (.ip, ipRanges), (.email, emailAddresses), (.uri, uriDomains)]
    }
}

/// step-ca's X.509 name policy: which subject common names and SANs a certificate may carry.
///
/// Semantics (reference §5.3): deny rules win; when the policy has any allow rule, a name whose
/// type has no rules at all is refused; a type with only deny rules allows everything else; a
/// policy without rules allows everything. DNS rules match exactly or, as `*.domain`, exactly one
/// more label; literal wildcard names (`*.example.com`) match only with `allowWildcardNames`.
/// The common name is allowed by a matching `cn` rule, else checked as the SAN it looks like.
public struct X509NamePolicy: Sendable {
    private var constraints = NameConstraints()

    /// Compiles the rules; throws on the first unusable value (e.g. `allow.dns[1]`).
    public init(allow: X509NameLists = X509NameLists(), deny: X509NameLists = X509NameLists(),
                allowWildcardNames: Bool = false) throws(NameRuleError) {
        for (kind, values) in allow.byKind {
            try constraints.add(values, kind: kind, excluded: false, scope: "allow")
        }
        for (kind, values) in deny.byKind {
            try constraints.add(values, kind: kind, excluded: true, scope: "deny")
        }
        constraints.allowWildcardNames = allowWildcardNames
    }

    /// Whether any rule is configured (without rules every certificate is allowed).
    public var hasRules: Bool { constraints.hasConstraints }

    /// Checks a certificate's names: SANs first (DNS, IP, email, URI), then the common name.
    /// Returns `nil` when allowed, else the first refusal.
    public func check(commonName: String? = nil, dnsNames: [String] = [], ipAddresses: [IPAddress] = [],
                      emailAddresses: [String] = [], uris: [String] = []) -> NamePolicyViolation? {
        let parsedURIs = uris.map { URIName($0) ?? URIName(unparsed: $0) }
        if let violation = constraints.validate(dnsNames: dnsNames, ipAddresses: ipAddresses,
                                                emailAddresses: emailAddresses, uris: parsedURIs) {
            return violation
        }
        if let commonName { return constraints.validate(commonName: commonName) }
        return nil
    }

    /// Checks names given as plain strings, classified as step's `SplitSANs` does (an IP literal,
    /// a URI with a scheme, an email with `@`, else a DNS name), e.g. ACME identifiers.
    public func check(sans: [String]) -> NamePolicyViolation? {
        let split = SANClassifier(sans)
        return constraints.validate(dnsNames: split.dnsNames, ipAddresses: split.ipAddresses,
                                    emailAddresses: split.emailAddresses, uris: split.uris)
    }
}
