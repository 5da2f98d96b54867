import ArgumentParser
import Foundation

/// `step-ca revoke SERIAL`: passive revocation with a provisioner token (like `step ca revoke`).
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a certificate (like `step ca revoke`).")

    @Argument(help: "The serial number (decimal, or 0x-prefixed hex).") var serial: String
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "A revocation token; without it one is made from the provisioner.") var token: String?
    @Option(name: .long, help: "The JWK provisioner that makes the token.") var provisioner: String?
    @Option(name: .long, help: "A file with the provisioner password.") var passwordFile: String?
    @Option(name: .long, help: "The reason for the revocation.") var reason = ""
    @Option(name: .customLong("reasonCode"), help: "The RFC 5280 reason code (0-10).") var reasonCode = 0

    func run() async throws {
        try await runClient {
            let ca = try client.makeClient()
            guard let serial = SerialNumbers.normalise(self.serial) else {
                throw StartupError(.usage, "\(self.serial) is not a serial number")
            }
            var body: [String: Any] = ["serial": serial, "reasonCode": reasonCode, "reason": reason, "passive": true]
            if let token {
                body["ott"] = token
            } else {
                body["ott"] = try await ProvisionerTokens(client: ca).revokeToken(
                    serial: serial, provisioner: provisioner, passwordFile: passwordFile)
            }
            let response = try await ca.post("/1.0/revoke", json: body)
            guard response.status == 200 else {
                throw StartupError(.usage, "the CA refused to revoke (\(response.status)): \(response.message)")
            }
            print("Certificate with Serial Number \(serial) has been revoked.")
        }
    }
}
