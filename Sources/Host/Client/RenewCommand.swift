import ArgumentParser
import Foundation
import NIOSSL

/// `step-ca renew CRT KEY`: renews a certificate over mTLS (like `step ca renew`).
struct RenewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "renew", abstract: "Renew a certificate (like `step ca renew`).")

    @Argument(help: "The certificate to renew.") var crtFile: String
    @Argument(help: "Its private key.") var keyFile: String
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Where to write the new certificate (default: over CRT, which needs --force).") var out: String?
    @Flag(name: .long, help: "Overwrite the output file.") var force = false

    func run() async throws {
        try await runClient {
            var ca = try client.makeClient()
            ca.clientCertificate = try ClientCredentials.load(crtFile: crtFile, keyFile: keyFile)
            let response = try await ca.post("/1.0/renew", json: [:])
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

/// `step-ca revoke SERIAL`: passive revocation with a token or over mTLS (like `step ca revoke`).
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a certificate (like `step ca revoke`).")

    @Argument(help: "The serial number (decimal, or 0x-prefixed hex).") var serial: String
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "A revocation token; without it one is made from the provisioner.") var token: String?
    @Option(name: .long, help: "The JWK provisioner that makes the token.") var provisioner: String?
    @Option(name: .long, help: "A file with the provisioner password.") var passwordFile: String?
    @Option(name: .long, help: "Revoke over mTLS with this certificate instead of a token.") var cert: String?
    @Option(name: .long, help: "The key of --cert.") var key: String?
    @Option(name: .long, help: "The reason for the revocation.") var reason = ""
    @Option(name: .customLong("reasonCode"), help: "The RFC 5280 reason code (0-10).") var reasonCode = 0

    func run() async throws {
        try await runClient {
            var ca = try client.makeClient()
            guard let serial = SerialNumbers.normalise(self.serial) else {
                throw StartupError(.usage, "\(self.serial) is not a serial number")
            }
            var body: [String: Any] = ["serial": serial, "reasonCode": reasonCode, "reason": reason, "passive": true]
            if let cert, let key {
                ca.clientCertificate = try ClientCredentials.load(crtFile: cert, keyFile: key)
            } else {
                if let token {
                    body["ott"] = token
                } else {
                    body["ott"] = try await ProvisionerTokens(client: ca).revokeToken(
                        serial: serial, provisioner: provisioner, passwordFile: passwordFile)
                }
            }
            let response = try await ca.post("/1.0/revoke", json: body)
            guard response.status == 200 else {
                throw StartupError(.usage, "the CA refused to revoke (\(response.status)): \(response.message)")
            }
            print("Certificate with Serial Number \(serial) has been revoked.")
        }
    }
}

/// A client certificate chain and key for mTLS.
enum ClientCredentials {
    static func load(crtFile: String, keyFile: String) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        do {
            return (try NIOSSLCertificate.fromPEMFile(crtFile), try NIOSSLPrivateKey(file: keyFile, format: .pem))
        } catch {
            throw StartupError(.certificate, "cannot read \(crtFile) and \(keyFile): \(error)")
        }
    }
}
