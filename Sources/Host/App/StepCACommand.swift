import ArgumentParser
import NIOCore
import NIOPosix

/// `step-ca`: the online certificate authority, and its tools.
@main
struct StepCACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step-ca",
        abstract: "An online certificate authority compatible with smallstep's step-ca.",
        version: "\(Version.product) \(Version.current)",
        subcommands: [ServeCommand.self, InitCommand.self, TokenCommand.self, CertificateCommand.self, RenewCommand.self,
                      RevokeCommand.self, PluginsCommand.self, DBCommand.self, KMSCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Runs Swift concurrency on NIO's event loops, so a handler's awaits resume on the loop
    /// that owns its connection instead of hopping to a second thread pool, then the command.
    /// Blocking work (plugin calls) keeps its own pool (``LoadedPlugin/call(_:)``).
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
