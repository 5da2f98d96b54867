import NamePolicy

/// `authority.policy`: which names certificates may contain. Used only when
/// `enableAdmin` is false (otherwise the database policy applies).
public struct PolicyOptions: Sendable, Equatable {
    /// Rules for X.509 certificates.
    public var x509: X509Policy?
    /// Rules for SSH certificates.
    public var ssh: SSHPolicy?

    /// Makes a policy.
    public init(x509: X509Policy? = nil, ssh: SSHPolicy? = nil) {
        self.x509 = x509
        self.ssh = ssh
    }
}

/// `policy.x509`.
public struct X509Policy: Sendable, Equatable {
    /// Names that are allowed; any rule here forbids name types without rules.
    public var allow: X509NameRules?
    /// Names that are refused; deny wins over allow.
    public var deny: X509NameRules?
    /// Whether `*.example.com` style DNS names may be issued.
    public var allowWildcardNames: Bool

    /// Makes X.509 rules.
    public init(allow: X509NameRules? = nil, deny: X509NameRules? = nil, allowWildcardNames: Bool = false) {
        self.allow = allow
        self.deny = deny
        self.allowWildcardNames = allowWildcardNames
    }
}

/// The name lists of `policy.x509.allow` or `policy.x509.deny` (`cn`, `dns`, `ip`, `email`, `uri`).
public typealias X509NameRules = X509NameLists

/// `policy.ssh`.
public struct SSHPolicy: Sendable, Equatable {
    /// Rules for user certificates.
    public var user: SSHPolicyRules?
    /// Rules for host certificates.
    public var host: SSHPolicyRules?

    /// Makes SSH rules.
    public init(user: SSHPolicyRules? = nil, host: SSHPolicyRules? = nil) {
        self.user = user
        self.host = host
    }
}

/// `policy.ssh.user` or `policy.ssh.host`.
public struct SSHPolicyRules: Sendable, Equatable {
    /// Principals that are allowed.
    public var allow: SSHNameRules?
    /// Principals that are refused.
    public var deny: SSHNameRules?

    /// Makes allow/deny rules.
    public init(allow: SSHNameRules? = nil, deny: SSHNameRules? = nil) {
        self.allow = allow
        self.deny = deny
    }
}

/// The name lists of an SSH allow or deny block (`dns`, `ip`, `email`, `principal`).
public typealias SSHNameRules = SSHNameLists
