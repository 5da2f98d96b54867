import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import StepCrypto
import StepConfig

/// `step-ca [ca.json] [--password-file F] [--plugin-dir D]`: runs the CA.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the certificate authority (the default command).")

    @Argument(help: "The ca.json file (default: $STEPPATH/config/ca.json).")
    var config: String?

    @Option(name: .long, help: "A file holding the password that decrypts the intermediate key.")
    var passwordFile: String?

    @Option(name: .long, help: "The directory holding libstepca-*.so plugins (or set $STEPCA_PLUGIN_DIR).")
    var pluginDir: String?

    @Flag(name: .long, help: "Do not print the start-up lines.")
    var quiet = false

    func run() async throws {
        ConsoleLog.quiet = quiet || ProcessInfo.processInfo.environment["STEP_CA_QUIET"] != nil
        do {
            try await serve()
        } catch let error as StartupError {
            ConsoleLog.error(error.message)
            throw ExitCode(2)
        } catch let error as PluginLoadError {
            ConsoleLog.error(error.message)
            throw ExitCode(2)
        }
    }

    private func serve() async throws {
        let stepPath = StepPath.fromEnvironment()
        let configPath = config ?? (stepPath.directory as NSString).appendingPathComponent("config/ca.json")
        let loader = PluginLoader(explicitDirectory: pluginDir)
        let runtime = try await CARuntime.load(configPath: configPath, stepPath: stepPath,
                                               passwordFile: passwordFile, loader: loader)
        guard let address = ListenAddress(runtime.config.address) else {
            throw StartupError(.config, "\(runtime.config.fileName): address: \"\(runtime.config.address)\" is not host:port")
        }
        try CRLStartup.validate(runtime)

        ConsoleLog.line("Building new tls configuration using step-ca x509 Signer Interface")
        let authorities = AuthorityHolder(try Authority(runtime: runtime))
        let crlSchedule = CRLSchedule()
        try await CRLStartup.start(authorities.current, generator: .shared, schedule: crlSchedule)
        let serving = try await ServingCertificate(authority: authorities.current)
        var tls: TLSConfiguration
        do {
            let first = serving.current
            tls = try TLSSetup.serverConfiguration(chain: first.chain, key: first.key, options: runtime.config.tls,
                                                   clientCAs: runtime.material.roots + runtime.material.intermediates)
            tls.sslContextCallback = serving.contextCallback(authorities: authorities)
        } catch {
            throw StartupError(.config, "\(runtime.config.fileName): tls: \(error)")
        }

        printStartupLines(runtime)
        var logger = Logger(label: "step-ca")
        logger.logLevel = ProcessInfo.processInfo.environment["STEPDEBUG"] == "1" ? .debug : .warning
        let responder = CAResponder(routes: .core, authorities: authorities,
                                    accessLog: AccessLog(format: runtime.config.logger?.format.rawValue))
        let reload = ReloadService { [configPath, passwordFile] in
            let previous = authorities.current.runtime
            let fresh = try await CARuntime.load(configPath: configPath, stepPath: stepPath, passwordFile: passwordFile,
                                                 loader: loader, previous: previous)
            try CRLStartup.validate(fresh)
            let authority = try Authority(runtime: fresh)
            try await serving.renew(authority: authority)
            try await CRLStartup.start(authority, generator: .shared, schedule: crlSchedule)
            if let notice = InsecureListener.reloadNotice(running: runtime.config, reloaded: fresh.config) {
                ConsoleLog.warning(notice)
            }
            authorities.replace(with: authority)
        }
        let shutdownFlag = QuiesceGuard.ShutdownFlag()
        let handoff = ConnectionHandoff()
        let serverTLS = tls
        let connectionLogger = logger
        var application = Application(
            responder: responder,
            server: HTTPServerBuilder { responder in
                ShutdownAwareConnections(
                    inner: try HTTP2UpgradeChannel(
                        tlsConfiguration: serverTLS,
                        configuration: .init(streamConfiguration: .init(
                            additionalChannelHandlers: [QuiesceGuard(shutdown: shutdownFlag, logger: connectionLogger)])),
                        responder: responder),
                    shutdown: shutdownFlag, handoff: handoff)
            },
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                ConsoleLog.line("Serving HTTPS on \(address.host):\(port) ...")
            },
            logger: logger)
        application.addServices(ServingCertificateRenewal(serving: serving, authorities: authorities), reload,
                                CRLRenewalService(schedule: crlSchedule, generator: .shared, authorities: authorities))
        if let insecure = try InsecureListener.make(runtime.config, authorities: authorities, logger: logger) {
            application.addServices(insecure)
        }
        do {
            let services = ServiceGroup(configuration: .init(
                services: [application, ShutdownNoticeService(flag: shutdownFlag, handoff: handoff)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await services.run()
        } catch let error as IOError {
            throw StartupError(.listen, "cannot listen on \(address.display): \(error)")
        }
        await handoff.drained()
        await runtime.database.close()
    }

    private func printStartupLines(_ runtime: CARuntime) {
        ConsoleLog.line("Starting \(Version.product)/\(Version.current) (\(Version.platform))")
        ConsoleLog.line("Config file: \(runtime.configPath)")
        ConsoleLog.line("The primary server URL is \(runtime.primaryURL)")
        ConsoleLog.line("Root certificates are available at \(runtime.primaryURL)/roots.pem")
        if runtime.config.dnsNames.count > 1 {
            ConsoleLog.line("Additional configured hostnames: \(runtime.config.dnsNames.dropFirst().joined(separator: ", "))")
        }
        for root in runtime.material.roots {
            ConsoleLog.line("X.509 Root Fingerprint: \(CertificateFiles.fingerprint(root))")
        }
        let persistence = runtime.database.isPersistent ? "" : " (nothing is kept after the CA stops)"
        ConsoleLog.line("Database: \(runtime.database.name)\(persistence)")
    }
}
