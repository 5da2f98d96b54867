import ServiceLifecycle

/// Regenerates the CRL on the ``CRLSchedule`` (every `crl.renewPeriod`, else ⅔ of
/// `crl.cacheDuration`) with the authority in force; stops on graceful shutdown. A failed
/// generation is logged and retried at the next tick, as step-ca does.
struct CRLRenewalService: Service {
    let schedule: CRLSchedule
    let generator: CRLGenerator
    let authorities: AuthorityHolder

    func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            guard await schedule.wait() else { continue }
            let authority = authorities.current
            guard authority.config.crl?.enabled == true else { continue }
            ConsoleLog.line("Regenerating CRL")
            do {
                try await generator.generate(authority)
            } catch {
                ConsoleLog.warning("error regenerating the CRL: \(error)")
            }
        }
    }
}
