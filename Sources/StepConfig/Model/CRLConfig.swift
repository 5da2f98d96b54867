/// The top-level `crl` object.
public struct CRLConfig: Sendable, Equatable {
    /// Whether a CRL is generated and served.
    public var enabled: Bool
    /// Whether each X.509 revocation regenerates the CRL immediately.
    public var generateOnRevoke: Bool
    /// Lifetime of each CRL (nextUpdate − thisUpdate) as written.
    public var cacheDuration: GoDuration?
    /// Regeneration interval as written.
    public var renewPeriod: GoDuration?
    /// Issuing distribution point URL; default `https://<dnsNames[0]>/1.0/crl`.
    public var idpURL: String?

    /// The CRL lifetime step-ca uses when none (or a non-positive one) is given.
    public static let defaultCacheDuration = GoDuration.hours(24)

    /// Makes CRL settings.
    public init(enabled: Bool = false, generateOnRevoke: Bool = false, cacheDuration: GoDuration? = nil,
                renewPeriod: GoDuration? = nil, idpURL: String? = nil) {
        self.enabled = enabled
        self.generateOnRevoke = generateOnRevoke
        self.cacheDuration = cacheDuration
        self.renewPeriod = renewPeriod
        self.idpURL = idpURL
    }

    /// The CRL lifetime in effect: `cacheDuration` when positive, else 24h.
    public var effectiveCacheDuration: GoDuration {
        if let cacheDuration, cacheDuration > .zero { return cacheDuration }
        return CRLConfig.defaultCacheDuration
    }

    /// How often the CRL is regenerated: `renewPeriod` when positive, else
    /// two thirds of the effective cache duration.
    public var effectiveRenewPeriod: GoDuration {
        if let renewPeriod, renewPeriod > .zero { return renewPeriod }
        return GoDuration(nanoseconds: effectiveCacheDuration.nanoseconds / 3 * 2)
    }
}
