extension Claims {
    /// These claims laid over `inherited`, field by field, without validation.
    ///
    /// A field set here wins. The twist step-ca applies: when a `default*` is
    /// set here but the matching `min*` (or `max*`) is not, and the default lies
    /// below the inherited minimum (or above the inherited maximum), the bound
    /// becomes that default.
    public func resolved(over inherited: EffectiveClaims) -> EffectiveClaims {
        EffectiveClaims(
            tls: Self.merge(minTLSCertDuration, maxTLSCertDuration, defaultTLSCertDuration, inherited.tls),
            userSSH: Self.merge(minUserSSHCertDuration, maxUserSSHCertDuration, defaultUserSSHCertDuration,
                                inherited.userSSH),
            hostSSH: Self.merge(minHostSSHCertDuration, maxHostSSHCertDuration, defaultHostSSHCertDuration,
                                inherited.hostSSH),
            enableSSHCA: enableSSHCA ?? inherited.enableSSHCA,
            disableRenewal: disableRenewal ?? inherited.disableRenewal,
            allowRenewalAfterExpiry: allowRenewalAfterExpiry ?? inherited.allowRenewalAfterExpiry,
            disableSmallstepExtensions: disableSmallstepExtensions ?? inherited.disableSmallstepExtensions)
    }

    private static func merge(_ minimum: GoDuration?, _ maximum: GoDuration?, _ defaultValue: GoDuration?,
                              _ inherited: EffectiveClaims.Durations) -> EffectiveClaims.Durations {
        var result = inherited
        result.default = defaultValue ?? inherited.default
        if let minimum {
            result.minimum = minimum
        } else if let defaultValue, defaultValue < inherited.minimum {
            result.minimum = defaultValue
        }
        if let maximum {
            result.maximum = maximum
        } else if let defaultValue, defaultValue > inherited.maximum {
            result.maximum = defaultValue
        }
        return result
    }

    /// The claims in effect at one level, validated as step-ca validates them:
    /// all three TLS durations greater than zero and min ≤ default ≤ max.
    /// (SSH bounds are not validated, as in step-ca.)
    ///
    /// - Parameters:
    ///   - inherited: the complete claims of the level above.
    ///   - path: where these claims are in the file, for the error message.
    ///   - file: the file name for the error message.
    /// - Throws: ``ConfigError`` with code ``ConfigError/Code/invalidClaims``,
    ///   naming the claim that is out of line.
    public func effective(over inherited: EffectiveClaims, at path: JSONPath,
                          file: String) throws(ConfigError) -> EffectiveClaims {
        let result = resolved(over: inherited)
        let tls = result.tls
        func fail(_ key: String, _ reason: String) -> ConfigError {
            ConfigError(code: .invalidClaims, file: file, path: path.appending(key), reason: reason)
        }
        func describe(_ key: String, _ value: GoDuration, setHere: Bool) -> String {
            "\(key) \(value)" + (setHere ? "" : " (inherited)")
        }
        let minKey = "minTLSCertDuration", maxKey = "maxTLSCertDuration", defaultKey = "defaultTLSCertDuration"
        let minSet = minTLSCertDuration != nil
        let maxSet = maxTLSCertDuration != nil
        let defaultSet = defaultTLSCertDuration != nil
        // A bound widened to the default points at the default that moved it.
        if tls.minimum <= .zero {
            let key = !minSet && defaultSet && tls.minimum == tls.default ? defaultKey : minKey
            throw fail(key, "\(key) must be greater than 0")
        }
        if tls.maximum <= .zero {
            let key = !maxSet && defaultSet && tls.maximum == tls.default ? defaultKey : maxKey
            throw fail(key, "\(key) must be greater than 0")
        }
        if tls.default <= .zero { throw fail(defaultKey, "\(defaultKey) must be greater than 0") }
        if tls.maximum < tls.minimum {
            throw fail(maxSet || !minSet ? maxKey : minKey,
                       "\(describe(maxKey, tls.maximum, setHere: maxSet)) is less than "
                       + describe(minKey, tls.minimum, setHere: minSet))
        }
        if tls.default < tls.minimum {
            throw fail(defaultSet || !minSet ? defaultKey : minKey,
                       "\(describe(defaultKey, tls.default, setHere: defaultSet)) is less than "
                       + describe(minKey, tls.minimum, setHere: minSet))
        }
        if tls.maximum < tls.default {
            throw fail(defaultSet || !maxSet ? defaultKey : maxKey,
                       "\(describe(defaultKey, tls.default, setHere: defaultSet)) is greater than "
                       + describe(maxKey, tls.maximum, setHere: maxSet))
        }
        return result
    }
}
