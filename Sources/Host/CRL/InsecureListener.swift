import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StepConfig

/// The plain-HTTP listener on `insecureAddress` (reference §1.1). step-ca starts it only when
/// `insecureAddress` is set and a SCEP provisioner exists or `crl.enabled`; SCEP is not
/// implemented here, so the condition is `crl.enabled`. It serves only ``RouteTable/insecure``
/// (the CRL routes); any other path gets the router's 404.
struct InsecureListener: Service {
    let address: ListenAddress
    let configFile: String
    let application: Application<CAResponder>

    /// Whether `config` asks for the listener.
    static func isWanted(_ config: CAConfig) -> Bool {
        guard let address = config.insecureAddress, !address.isEmpty else { return false }
        return config.crl?.enabled == true
    }

    /// The listener `config` asks for, or nil. Requests read the authority in force, so a
    /// reload reaches it like the HTTPS listener.
    static func make(_ config: CAConfig, authorities: AuthorityHolder, logger: Logger) throws -> InsecureListener? {
        guard isWanted(config), let text = config.insecureAddress else { return nil }
        guard let address = ListenAddress(text) else {
            throw StartupError(.config, "\(config.fileName): insecureAddress: \"\(text)\" is not host:port")
        }
        let responder = CAResponder(routes: .insecure, authorities: authorities,
                                    accessLog: AccessLog(format: config.logger?.format.rawValue))
        let application = Application(
            responder: responder,
            server: .http1(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                ConsoleLog.line("Serving HTTP on \(address.host):\(port) ...")
            },
            logger: logger)
        return InsecureListener(address: address, configFile: config.fileName, application: application)
    }

    func run() async throws {
        do {
            try await application.run()
        } catch let error as IOError {
            throw StartupError(.listen, "\(configFile): insecureAddress: cannot listen on \(address.display): \(error)")
        }
    }

    /// On reload: the listener keeps its address and runs until shutdown, as the HTTPS one
    /// does; a changed `insecureAddress` or CRL switch takes effect at the next start.
    static func reloadNotice(running: CAConfig, reloaded: CAConfig) -> String? {
        let before = isWanted(running) ? running.insecureAddress : nil
        let after = isWanted(reloaded) ? reloaded.insecureAddress : nil
        guard before != after else { return nil }
        return "\(reloaded.fileName): insecureAddress: the plain-HTTP listener changes at the next start of step-ca"
    }
}
