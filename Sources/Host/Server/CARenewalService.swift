import Foundation
import Logging
import ServiceLifecycle

/// Renews the serving certificate at about two thirds of its life; on failure retries soon.
struct ServingCertificateRenewal: Service {
    let serving: ServingCertificate
    let authorities: AuthorityHolder

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            let wait = max(1, serving.current.renewAt.timeIntervalSinceNow)
            do {
                try await Task.sleep(for: .seconds(wait))
            } catch {
                return
            }
            do {
                try await serving.renew(authority: authorities.current)
                ConsoleLog.line("Renewed the TLS serving certificate")
            } catch {
                ConsoleLog.warning("renewing the TLS serving certificate failed: \(error); retrying in a minute")
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }
}
