/// The kind of name a policy decision is about, as step-ca words it in its messages
/// (`dns name "x.example.org" not allowed`).
public enum NameType: String, Sendable, Hashable, CaseIterable {
    /// The subject common name of an X.509 certificate.
    case cn
    /// A DNS name (X.509 SAN or SSH host principal).
    case dns
    /// An IP address (X.509 SAN or SSH host principal).
    case ip
    /// An email address (X.509 SAN or SSH principal containing `@`).
    case email
    /// A URI SAN.
    case uri
    /// A plain SSH user principal.
    case principal
}

/// The kinds of rule lists in a policy; the raw value is the ca.json key (`dns`, `cn`, ...).
public enum NameRuleKind: String, Sendable, Hashable, CaseIterable {
    /// `cn`: subject common names, exact and case-insensitive.
    case commonName = "cn"
    /// `dns`: DNS names and `*.domain` patterns.
    case dns
    /// `ip`: IP addresses and CIDR ranges.
    case ip
    /// `email`: mailboxes and `domain` / `@domain` patterns.
    case email
    /// `uri`: URI host patterns.
    case uri
    /// `principal`: SSH principals; `*` matches every principal.
    case principal
}
