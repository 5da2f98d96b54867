extension CRLConfig {
    static let keys = ["enabled", "generateOnRevoke", "cacheDuration", "renewPeriod", "idpURL"]

    /// Reads `crl` with step-ca's checks: cacheDuration ≥ 0, renewPeriod ≥ 0,
    /// renewPeriod ≤ cacheDuration.
    static func decode(_ reader: ObjectReader) -> CRLConfig {
        let config = CRLConfig(enabled: reader.bool("enabled") ?? false,
                               generateOnRevoke: reader.bool("generateOnRevoke") ?? false,
                               cacheDuration: reader.duration("cacheDuration"),
                               renewPeriod: reader.duration("renewPeriod"),
                               idpURL: reader.string("idpURL").flatMap { $0.isEmpty ? nil : $0 })
        if let cache = config.cacheDuration, cache < .zero {
            reader.invalid("cacheDuration", "cacheDuration must be greater than or equal to 0")
        }
        if let renew = config.renewPeriod, renew < .zero {
            reader.invalid("renewPeriod", "renewPeriod must be greater than or equal to 0")
        }
        // step-ca fills in the 24h default before validating an enabled CRL.
        let cacheForCheck = config.cacheDuration ?? (config.enabled ? CRLConfig.defaultCacheDuration : nil)
        if let renew = config.renewPeriod, let cache = cacheForCheck, renew > cache {
            reader.context.error(.conflict, reader.path("renewPeriod"),
                                 "renewPeriod \(renew) cannot exceed cacheDuration \(cache)",
                                 at: reader.offset("renewPeriod"))
        }
        return config
    }
}
