/// A `claims` object, at authority or provisioner level. Every field is
/// optional; unset fields inherit (see ``EffectiveClaims``).
public struct Claims: Sendable, Equatable {
    /// Shortest X.509 certificate a request may ask for.
    public var minTLSCertDuration: GoDuration?
    /// Longest X.509 certificate a request may ask for.
    public var maxTLSCertDuration: GoDuration?
    /// X.509 validity when the request does not say.
    public var defaultTLSCertDuration: GoDuration?
    /// Shortest SSH user certificate.
    public var minUserSSHCertDuration: GoDuration?
    /// Longest SSH user certificate.
    public var maxUserSSHCertDuration: GoDuration?
    /// SSH user certificate validity when the request does not say.
    public var defaultUserSSHCertDuration: GoDuration?
    /// Shortest SSH host certificate.
    public var minHostSSHCertDuration: GoDuration?
    /// Longest SSH host certificate.
    public var maxHostSSHCertDuration: GoDuration?
    /// SSH host certificate validity when the request does not say.
    public var defaultHostSSHCertDuration: GoDuration?
    /// Whether SSH certificates may be issued.
    public var enableSSHCA: Bool?
    /// Whether renewal is refused.
    public var disableRenewal: Bool?
    /// Whether expired certificates may still be renewed.
    public var allowRenewalAfterExpiry: Bool?
    /// Whether the provisioner OID extension is left out of X.509 certificates.
    public var disableSmallstepExtensions: Bool?

    /// The JSON keys, in step's order.
    public static let keys = [
        "minTLSCertDuration", "maxTLSCertDuration", "defaultTLSCertDuration",
        "minUserSSHCertDuration", "maxUserSSHCertDuration", "defaultUserSSHCertDuration",
        "minHostSSHCertDuration", "maxHostSSHCertDuration", "defaultHostSSHCertDuration",
        "enableSSHCA", "disableRenewal", "allowRenewalAfterExpiry", "disableSmallstepExtensions",
    ]

    /// Makes claims; unset fields inherit.
    public init(minTLSCertDuration: GoDuration? = nil, maxTLSCertDuration: GoDuration? = nil,
                defaultTLSCertDuration: GoDuration? = nil, minUserSSHCertDuration: GoDuration? = nil,
                maxUserSSHCertDuration: GoDuration? = nil, defaultUserSSHCertDuration: GoDuration? = nil,
                minHostSSHCertDuration: GoDuration? = nil, maxHostSSHCertDuration: GoDuration? = nil,
                defaultHostSSHCertDuration: GoDuration? = nil, enableSSHCA: Bool? = nil,
                disableRenewal: Bool? = nil, allowRenewalAfterExpiry: Bool? = nil,
                disableSmallstepExtensions: Bool? = nil) {
        self.minTLSCertDuration = minTLSCertDuration
        self.maxTLSCertDuration = maxTLSCertDuration
        self.defaultTLSCertDuration = defaultTLSCertDuration
        self.minUserSSHCertDuration = minUserSSHCertDuration
        self.maxUserSSHCertDuration = maxUserSSHCertDuration
        self.defaultUserSSHCertDuration = defaultUserSSHCertDuration
        self.minHostSSHCertDuration = minHostSSHCertDuration
        self.maxHostSSHCertDuration = maxHostSSHCertDuration
        self.defaultHostSSHCertDuration = defaultHostSSHCertDuration
        self.enableSSHCA = enableSSHCA
        self.disableRenewal = disableRenewal
        self.allowRenewalAfterExpiry = allowRenewalAfterExpiry
        self.disableSmallstepExtensions = disableSmallstepExtensions
    }
}
