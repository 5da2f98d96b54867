import ArgumentParser
import Foundation
import SwiftASN1
import X509
import StepCrypto

/// `step-ca certificate`: `SUBJECT CRT KEY` asks the CA for a certificate (the default,
/// ``CertificateRequestCommand``); `create` makes a certificate for a key held by a KMS plugin
/// (``CertificateCreateCommand``).
struct CertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Get a certificate from the CA (like `step ca certificate`), or create one for a KMS key.",
        subcommands: [CertificateRequestCommand.self, CertificateCreateCommand.self],
        defaultSubcommand: CertificateRequestCommand.self)

    /// A PEM CSR with the subject as CN and the SANs split as step splits them.
    static func makeCSR(subject: String, sans: [String], key: PrivateKeyMaterial) throws -> String {
        try CertificateRequestCommand.makeCSR(subject: subject, sans: sans, key: key)
    }
}

/// `step-ca certificate [request] SUBJECT CRT KEY`: a new key, a CSR and a token → a certificate
/// from the CA (like `step ca certificate --no-password --insecure`: the key is written
/// unencrypted, 0600).
struct CertificateRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Get a certificate from the CA (the default; like `step ca certificate`).")

    @Argument(help: "The subject (common name).") var subject: String
    @Argument(help: "Where to write the certificate (leaf and intermediates).") var crtFile: String
    @Argument(help: "Where to write the private key.") var keyFile: String
    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "A one-time token; without it one is made from the provisioner.") var token: String?
    @Option(name: .long, help: "The JWK provisioner (default: the first JWK provisioner of the CA).") var provisioner: String?
    @Option(name: .long, help: "A file with the provisioner password.") var passwordFile: String?
    @Option(name: .long, help: "A subject alternative name (repeatable; default: the subject).") var san: [String] = []
    @Option(name: .long, help: "Validity start: RFC 3339 time or duration.") var notBefore: String?
    @Option(name: .long, help: "Validity end: RFC 3339 time or duration (e.g. 1h).") var notAfter: String?
    @Option(name: .long, help: "Key type: EC, OKP or RSA.") var kty = "EC"
    @Flag(name: .long, help: "Overwrite existing files.") var force = false

    func run() async throws {
        try await runClient {
            let ca = try client.makeClient()
            var ott = token ?? ""
            if ott.isEmpty {
                ott = try await ProvisionerTokens(client: ca).signToken(
                    subject: subject, sans: san.isEmpty ? [subject] : san, provisioner: provisioner, passwordFile: passwordFile)
            }
            let key = try PrivateKeyMaterial.generate(kty.uppercased() == "RSA" ? .rsa(bits: 2048) : kty.uppercased() == "OKP" ? .ed25519 : .ecdsaP256)
            let csr = try Self.makeCSR(subject: subject, sans: san.isEmpty ? [subject] : san, key: key)
            var body: [String: Any] = ["csr": csr, "ott": ott]
            if let notBefore { body["notBefore"] = notBefore }
            if let notAfter { body["notAfter"] = notAfter }
            let response = try await ca.post("/1.0/sign", json: body)
            guard response.status == 201,
                  let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let chain = object["certChain"] as? [String] ?? (object["crt"] as? String).map({ [$0] })
            else { throw StartupError(.usage, "the CA refused the request (\(response.status)): \(response.message)") }
            try writeOutput(chain.joined(), to: crtFile, mode: 0o644, force: force)
            try writeOutput(PrivateKeyFile.pkcs8PEM(key), to: keyFile, mode: 0o600, force: force)
            print("✔ Certificate: \(crtFile)\n✔ Private Key: \(keyFile)")
        }
    }

    /// A PEM CSR with the subject as CN and the SANs split as step splits them.
    static func makeCSR(subject: String, sans: [String], key: PrivateKeyMaterial) throws -> String {
        let names = SANSet(strings: sans).generalNames
        let attributes = try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: Certificate.Extensions {
            SubjectAlternativeNames(names)
        }))])
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try SubjectNames.commonName(subject), privateKey: key.certificatePrivateKey,
            attributes: attributes, signatureAlgorithm: CertificateFactory.signatureAlgorithm(for: key))
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        return PEMBlock(type: "CERTIFICATE REQUEST", bytes: Data(serializer.serializedBytes)).encoded
    }
}
