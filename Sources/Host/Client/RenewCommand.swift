import ArgumentParser
import Foundation
import NIOSSL
import StepCrypto
import X509

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

/// Builds the renew token step-ca accepts in `Authorization: Bearer`.
enum RenewTokenMaker {
    static func make(crtFile: String, keyFile: String, audience: String, now: Date = Date()) throws -> String {
        let chain: [Certificate]
        let key: PrivateKeyMaterial
        do {
            chain = try CertificateFiles.load(crtFile, purpose: "client")
            key = try PrivateKeyFile.read(pem: try Data(contentsOf: URL(fileURLWithPath: keyFile)), password: nil)
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError(.key, "cannot read \(keyFile): \(error)")
        }
        let claims = JWTClaims(
            issuer: "step-ca-client/1.0", subject: ClientCertificate.commonName(chain[0]), audience: [audience],
            expiry: NumericDate(now.addingTimeInterval(300)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: TokenCommand.randomHex(32))
        let x5c = JSONValue.array(chain.map { .string(Data(CertificateFiles.der($0)).base64EncodedString()) })
        return try JWS.sign(claims: claims, key: key, additionalHeader: [(name: "x5cInsecure", value: x5c)])
    }
}
