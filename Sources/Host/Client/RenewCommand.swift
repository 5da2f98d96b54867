import ArgumentParser
import Foundation

/// `step-ca renew CRT KEY`: renews a certificate, proving possession of its key with a renew token (like `step ca renew`).
struct RenewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "renew", abstract: "Renew a certificate (like `step ca renew`).")

    @Argument(help: "The certificate to renew.") var crtFile: String
    @Argument(help: "Its private key.") var keyFile: String
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Where to write the new certificate (default: over CRT, which needs --force).") var out: String?
    @Flag(name: .long, help: "Overwrite the output file.") var force = false

    func run() async throws {
        try await runClient {
            let ca = try client.makeClient()
            // The certificate proves possession with a renew token signed by its own key
            // (step-ca's `Authorization: Bearer` form with the chain in `x5cInsecure`).
            let token = try RenewTokenMaker.make(crtFile: crtFile, keyFile: keyFile, audience:
                ca.url.absoluteString.trimmingSuffix("/") + "/1.0/renew")
            let response = try await ca.post("/1.0/renew", json: [:], headers: ["Authorization": "Bearer \(token)"])
            guard response.status == 201,
                  let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let chain = object["certChain"] as? [String] else {
                throw StartupError(.usage, "the CA refused to renew (\(response.status)): \(response.message)")
            }
            let target = out ?? crtFile
            try writeOutput(chain.joined(), to: target, mode: 0o644, force: force)
            print("Your certificate has been saved in \(target).")
        }
    }
}
