import ArgumentParser

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
}
