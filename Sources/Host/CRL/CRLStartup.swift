import StepConfig

/// CRL set-up at start-up and on reload (reference §8): CRLs need a persistent database, a
/// first CRL is generated at once (step-ca always does, so one is served from the start), and
/// the periodic schedule starts with the configured period.
enum CRLStartup {
    /// Refuses `crl.enabled` without a persistent database, naming the file and JSON path.
    static func validate(_ runtime: CARuntime) throws {
        guard let crl = runtime.config.crl, crl.enabled, !runtime.database.isPersistent else { return }
        throw StartupError(.config, "\(runtime.config.fileName): crl.enabled: certificate revocation lists need a persistent database; configure db (e.g. \"db\": {\"type\": \"sqlite\", \"dataSource\": \"db/ca.db\"}) or disable the CRL")
    }

    /// Generates the first CRL of `authority` (when enabled) and (re)starts the schedule.
    static func start(_ authority: Authority, generator: CRLGenerator, schedule: CRLSchedule) async throws {
        guard let crl = authority.config.crl, crl.enabled else {
            schedule.restart(period: nil)
            return
        }
        do {
            try await generator.generate(authority)
        } catch {
            throw StartupError(.crl, "\(authority.config.fileName): crl: cannot generate the CRL: \(error)")
        }
        schedule.restart(period: .nanoseconds(crl.effectiveRenewPeriod.nanoseconds))
    }
}
