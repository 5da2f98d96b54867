extension CAConfig {
    /// The authority-level claims in effect: `authority.claims` over the built-ins.
    /// - Throws: ``ConfigError`` (``ConfigError/Code/invalidClaims``) naming the
    ///   offending `authority.claims` member; step-ca refuses to start then.
    public func authorityClaims() throws(ConfigError) -> EffectiveClaims {
        try (authority.claims ?? Claims()).effective(over: .builtIn, at: JSONPath("authority.claims"),
                                                      file: fileName)
    }

    /// The claims a provisioner enforces: its own over the authority's over the built-ins.
    /// - Throws: ``ConfigError`` (``ConfigError/Code/invalidClaims``) naming the
    ///   offending claim; step-ca keeps such a provisioner uninitialized.
    public func effectiveClaims(for provisioner: Provisioner) throws(ConfigError) -> EffectiveClaims {
        let global = try authorityClaims()
        return try (provisioner.claims ?? Claims()).effective(over: global, at: provisioner.path.appending("claims"),
                                                              file: fileName)
    }

    /// Checks claims at both levels: an authority-level failure is an error,
    /// a provisioner-level one a warning plus an uninitialized provisioner.
    mutating func validateClaims(_ context: DecodeContext) {
        let global: EffectiveClaims
        do {
            global = try authorityClaims()
        } catch {
            context.error(error.code, error.path, error.reason)
            return
        }
        for index in authority.provisioners.indices {
            let provisioner = authority.provisioners[index]
            do {
                _ = try (provisioner.claims ?? Claims()).effective(
                    over: global, at: provisioner.path.appending("claims"), file: fileName)
            } catch {
                context.warning(.provisionerUninitialized, error.path,
                                error.reason + "; step-ca keeps this provisioner uninitialized")
                if authority.provisioners[index].uninitializedReason == nil {
                    authority.provisioners[index].uninitializedReason = "\(error.path): \(error.reason)"
                }
            }
        }
    }
}
