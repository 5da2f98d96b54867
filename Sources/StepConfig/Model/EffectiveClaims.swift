/// A complete set of claims: what a provisioner actually enforces after
/// merging its own `claims` over the authority's, and those over the built-ins.
public struct EffectiveClaims: Sendable, Equatable {
    /// Bounds and default for one kind of certificate.
    public struct Durations: Sendable, Equatable {
        /// Shortest allowed validity.
        public var minimum: GoDuration
        /// Longest allowed validity.
        public var maximum: GoDuration
        /// Validity when the request does not say.
        public var `default`: GoDuration

        /// Makes a set of bounds.
        public init(minimum: GoDuration, maximum: GoDuration, default: GoDuration) {
            self.minimum = minimum
            self.maximum = maximum
            self.default = `default`
        }
    }

    /// X.509 certificates.
    public var tls: Durations
    /// SSH user certificates.
    public var userSSH: Durations
    /// SSH host certificates.
    public var hostSSH: Durations
    /// Whether SSH certificates may be issued.
    public var enableSSHCA: Bool
    /// Whether renewal is refused.
    public var disableRenewal: Bool
    /// Whether expired certificates may still be renewed.
    public var allowRenewalAfterExpiry: Bool
    /// Whether the provisioner OID extension is left out of X.509 certificates.
    public var disableSmallstepExtensions: Bool

    /// Makes a complete set of claims.
    public init(tls: Durations, userSSH: Durations, hostSSH: Durations, enableSSHCA: Bool,
                disableRenewal: Bool, allowRenewalAfterExpiry: Bool, disableSmallstepExtensions: Bool) {
        self.tls = tls
        self.userSSH = userSSH
        self.hostSSH = hostSSH
        self.enableSSHCA = enableSSHCA
        self.disableRenewal = disableRenewal
        self.allowRenewalAfterExpiry = allowRenewalAfterExpiry
        self.disableSmallstepExtensions = disableSmallstepExtensions
    }

    /// step-ca's built-in claims: TLS 5m/24h/24h, user SSH 5m/24h/16h,
    /// host SSH 5m/720h/720h, everything else false.
    public static let builtIn = EffectiveClaims(
        tls: Durations(minimum: .minutes(5), maximum: .hours(24), default: .hours(24)),
        userSSH: Durations(minimum: .minutes(5), maximum: .hours(24), default: .hours(16)),
        hostSSH: Durations(minimum: .minutes(5), maximum: .hours(720), default: .hours(720)),
        enableSSHCA: false, disableRenewal: false, allowRenewalAfterExpiry: false,
        disableSmallstepExtensions: false)
}
