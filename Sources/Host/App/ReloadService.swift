import Foundation
import ServiceLifecycle
import UnixSignals

/// Reloads the CA on SIGHUP: ca.json, keys, provisioners and the serving certificate are rebuilt
/// and swapped in while the listener and open connections stay up. A failed reload keeps the
/// running configuration and says why.
struct ReloadService: Service {
    let reload: @Sendable () async throws -> Void

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        try await cancelWhenGracefulShutdown {
            for await _ in signals {
                do {
                    try await reload()
                    ConsoleLog.line("Reloaded the configuration")
                } catch let error as StartupError {
                    ConsoleLog.error("reload failed, keeping the running configuration: \(error.message)")
                } catch {
                    ConsoleLog.error("reload failed, keeping the running configuration: \(error)")
                }
            }
        }
    }
}
