/// The name lists of an SSH allow or deny block, as configured.
public struct SSHNameLists: Sendable, Equatable {
    /// DNS names and `*.domain` patterns (`dns`).
    public var dnsDomains: [String]
    /// IP addresses and CIDR ranges (`ip`).
    public var ipRanges: [String]
    /// Mailboxes and `domain` / `@domain` patterns (`email`).
    public var emailAddresses: [String]
    /// Principals; `*` matches every principal (`principal`).
    public var principals: [String]

    /// Makes name lists.
    public init(dnsDomains: [String] = [], ipRanges: [String] = [], emailAddresses: [String] = [],
                principals: [String] = []) {
        self.dnsDomains = dnsDomains
        self.ipRanges = ipRanges
        self.emailAddresses = emailAddresses
        self.principals = principals
    }

    /// Whether no list has a value.
    public var isEmpty: Bool { dnsDomains.isEmpty && ipRanges.isEmpty && emailAddresses.isEmpty && principals.isEmpty }

    var byKind: [(NameRuleKind, [String])] {
        [(.dns, dnsDomains), (.ip, ipRanges), (.email, emailAddresses), (.principal, principals)]
    }
}

/// The allow and deny lists for one SSH certificate type.
public struct SSHNameRuleSet: Sendable, Equatable {
    /// Principals that are allowed.
    public var allow: SSHNameLists
    /// Principals that are refused; deny wins.
    public var deny: SSHNameLists

    /// Makes a rule set.
    public init(allow: SSHNameLists = SSHNameLists(), deny: SSHNameLists = SSHNameLists()) {
        self.allow = allow
        self.deny = deny
    }

    /// Whether neither list has a value (step-ca then has no engine for this type).
    public var isEmpty: Bool { allow.isEmpty && deny.isEmpty }
}

/// The SSH certificate types.
public enum SSHCertificateKind: String, Sendable, Hashable {
    /// A user certificate.
    case user
    /// A host certificate.
    case host
}

/// step-ca's SSH name policy: one engine for user certificates, one for host certificates.
///
/// Host principals are checked as DNS names, IPs or emails (a URI is refused); user principals as
/// plain principals or emails (an IP or URI is refused). When rules exist for one type only,
/// certificates of the other type are refused altogether.
public struct SSHNamePolicy: Sendable {
    private var user: NameConstraints?
    private var host: NameConstraints?

    /// Compiles the rules; a type whose lists are all empty has no engine. Throws on the first
    /// unusable value (e.g. `host.allow.dns[0]`).
    public init(user: SSHNameRuleSet? = nil, host: SSHNameRuleSet? = nil) throws(NameRuleError) {
        self.user = try SSHNamePolicy.compile(user, scope: "user")
        self.host = try SSHNamePolicy.compile(host, scope: "host")
    }

    private static func compile(_ rules: SSHNameRuleSet?, scope: String) throws(NameRuleError) -> NameConstraints? {
        guard let rules, !rules.isEmpty else { return nil }
        var constraints = NameConstraints()
        for (kind, values) in rules.allow.byKind {
            try constraints.add(values, kind: kind, excluded: false, scope: scope + ".allow")
        }
        for (kind, values) in rules.deny.byKind {
            try constraints.add(values, kind: kind, excluded: true, scope: scope + ".deny")
        }
        return constraints
    }

    /// Whether rules exist for either certificate type.
    public var hasRules: Bool { user != nil || host != nil }

    /// Checks a certificate's principals; `nil` when allowed.
    public func check(_ kind: SSHCertificateKind, principals: [String]) -> NamePolicyViolation? {
        guard hasRules else { return nil }
        switch kind {
        case .host:
            guard let host else {
                return typeRefused("authority not allowed to sign ssh host certificates when ssh user certificate policy is active")
            }
            let split = SANClassifier(principals)
            if !split.uris.isEmpty { return unexpected(.uri, split.uris.map(\.text), "URL principals", kind) }
            return host.validate(dnsNames: split.dnsNames, ipAddresses: split.ipAddresses,
                                 emailAddresses: split.emailAddresses)
        case .user:
            guard let user else {
                return typeRefused("authority not allowed to sign ssh user certificates when ssh host certificate policy is active")
            }
            let split = SANClassifier(principals)
            if !split.uris.isEmpty { return unexpected(.uri, split.uris.map(\.text), "URL principals", kind) }
            if !split.ipAddresses.isEmpty {
                return unexpected(.ip, split.ipAddresses.map(\.description), "IP principals", kind)
            }
            return user.validate(emailAddresses: split.emailAddresses, principals: split.dnsNames)
        }
    }

    private func typeRefused(_ text: String) -> NamePolicyViolation {
        NamePolicyViolation(code: .certificateTypeNotAllowed, nameType: nil, name: "", message: text, detail: text)
    }

    private func unexpected(_ type: NameType, _ names: [String], _ what: String,
                            _ kind: SSHCertificateKind) -> NamePolicyViolation {
        let text = "\(what) [\(names.joined(separator: " "))] not expected in SSH \(kind.rawValue) certificate"
        return NamePolicyViolation(code: .unexpectedPrincipal, nameType: type, name: names[0], message: text, detail: text)
    }
}
