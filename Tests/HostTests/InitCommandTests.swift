import Foundation
import Testing
import X509
import SwiftASN1
import StepCrypto
import StepConfig
@testable import Host

@Suite("step-ca init")
struct InitCommandTests {
    /// Runs `step-ca init` into a new STEPPATH and returns it with the password file.
    static func initialise(_ directory: URL, extra: [String] = []) throws -> (stepPath: URL, passwordFile: URL, result: ProcessResult) {
        let passwordFile = directory.appendingPathComponent("password.txt")
        try "correct horse\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let stepPath = directory.appendingPathComponent("steppath")
        let result = try Run.program(TestEnvironment.stepCA, [
            "init", "--name", "Test", "--dns", "localhost", "--dns", "127.0.0.1", "--address", "127.0.0.1:0",
            "--provisioner", "admin@example.com", "--password-file", passwordFile.path, "--steppath", stepPath.path,
        ] + extra)
        return (stepPath, passwordFile, result)
    }

    @Test("writes step's layout with private files 0600 and directories 0700")
    func layoutAndPermissions() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (stepPath, _, result) = try Self.initialise(directory)
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["config/ca.json", "config/defaults.json", "certs/root_ca.crt", "certs/intermediate_ca.crt",
                     "secrets/root_ca_key", "secrets/intermediate_ca_key"] {
            #expect(FileManager.default.fileExists(atPath: stepPath.appendingPathComponent(file).path), "\(file) missing")
        }
        func mode(_ path: String) throws -> Int {
            let attributes = try FileManager.default.attributesOfItem(atPath: stepPath.appendingPathComponent(path).path)
            return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
        }
        #expect(try mode("secrets/root_ca_key") == 0o600)
        #expect(try mode("secrets/intermediate_ca_key") == 0o600)
        #expect(try mode("config/ca.json") == 0o600)
        #expect(try mode("secrets") == 0o700)
        #expect(try mode("config") == 0o700)
        #expect(try mode(".") == 0o700)
        #expect(result.stdout.contains("Root fingerprint: "))
        #expect(result.stdout.contains("step-ca \(stepPath.path)/config/ca.json"))
    }

    @Test("output reads back: keys decrypt, chain verifies, JWE decrypts, defaults match")
    func outputReadsBack() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (stepPath, _, result) = try Self.initialise(directory)
        try #require(result.status == 0, "\(result.stderr)")
        let password = Data("correct horse".utf8)
        func read(_ path: String) throws -> Data { try Data(contentsOf: stepPath.appendingPathComponent(path)) }

        let root = try Certificate(pemEncoded: String(decoding: try read("certs/root_ca.crt"), as: UTF8.self))
        let intermediate = try Certificate(pemEncoded: String(decoding: try read("certs/intermediate_ca.crt"), as: UTF8.self))
        let rootKey = try PrivateKeyFile.read(pem: try read("secrets/root_ca_key"), password: password)
        let intermediateKey = try PrivateKeyFile.read(pem: try read("secrets/intermediate_ca_key"), password: password)
        #expect(rootKey.publicKey.certificatePublicKey == root.publicKey)
        #expect(intermediateKey.publicKey.certificatePublicKey == intermediate.publicKey)
        #expect(throws: StepCryptoError.self) {
            try PrivateKeyFile.read(pem: try read("secrets/intermediate_ca_key"), password: Data("wrong".utf8))
        }

        // Chain: the intermediate is signed by the root; names and constraints as step makes them.
        #expect(root.publicKey.isValidSignature(intermediate.signature, for: intermediate))
        #expect(root.publicKey.isValidSignature(root.signature, for: root))
        #expect(intermediate.issuer == root.subject)
        #expect(root.subject.description.contains("CN=Test Root CA"))
        #expect(intermediate.subject.description.contains("CN=Test Intermediate CA"))
        let rootConstraints = try #require(try root.extensions.basicConstraints)
        #expect(rootConstraints == .isCertificateAuthority(maxPathLength: 1))
        #expect(try intermediate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))

        // The provisioner's encryptedKey decrypts with the password to the key in ca.json.
        let (config, warnings) = try CAConfig.load(path: stepPath.appendingPathComponent("config/ca.json").path,
                                                   stepPath: StepPath(stepPath.path))
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(config.db?.type == "sqlite")
        let provisioner = try #require(config.authority.provisioners.first)
        guard case .jwk(let jwkProvisioner) = provisioner.details else {
            Issue.record("first provisioner is not JWK")
            return
        }
        let encrypted = try #require(jwkProvisioner.encryptedKey)
        let privateJWK = try JWE.decryptJWK(compact: encrypted, password: password)
        let publicJWK = try JWK(jsonData: Data(jwkProvisioner.key.rawJSON.utf8))
        #expect(privateJWK.publicJWK == publicJWK)
        #expect(try publicJWK.thumbprint() == publicJWK.keyID)

        // defaults.json carries the root fingerprint.
        let defaults = try JSONSerialization.jsonObject(with: try read("config/defaults.json")) as? [String: String]
        #expect(defaults?["fingerprint"] == CertificateFiles.fingerprint(root))
        #expect(defaults?["ca-url"] == "https://localhost:0")
    }

    @Test("refuses to overwrite an existing PKI without --force")
    func refusesOverwrite() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.initialise(directory)
        try #require(first.result.status == 0)
        let original = try Data(contentsOf: first.stepPath.appendingPathComponent("certs/root_ca.crt"))
        let second = try Self.initialise(directory)
        #expect(second.result.status != 0)
        #expect(second.result.stderr.contains("already exists"))
        #expect(second.result.stderr.contains("--force"))
        #expect(try Data(contentsOf: first.stepPath.appendingPathComponent("certs/root_ca.crt")) == original)
        let forced = try Self.initialise(directory, extra: ["--force"])
        #expect(forced.result.status == 0)
        #expect(try Data(contentsOf: first.stepPath.appendingPathComponent("certs/root_ca.crt")) != original)
    }

    @Test("without a terminal, missing flags are named", arguments: [
        (["--dns", "localhost", "--address", ":443", "--provisioner", "p"], "--name"),
        (["--name", "N", "--dns", "localhost", "--address", ":443"], "--provisioner"),
    ])
    func missingFlags(arguments: [String], flag: String) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Run.program(TestEnvironment.stepCA, ["init", "--steppath", directory.path] + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }

    @Test("Ed25519 and RSA CA keys", arguments: [["--kty", "OKP", "--crv", "Ed25519"], ["--kty", "RSA", "--size", "2048"], ["--kty", "EC", "--crv", "P-384"]])
    func otherKeyTypes(flags: [String]) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (stepPath, _, result) = try Self.initialise(directory, extra: flags)
        try #require(result.status == 0, "\(result.stderr)")
        let key = try PrivateKeyFile.read(pem: try Data(contentsOf: stepPath.appendingPathComponent("secrets/intermediate_ca_key")),
                                          password: Data("correct horse".utf8))
        let intermediate = try Certificate(pemEncoded: String(contentsOf: stepPath.appendingPathComponent("certs/intermediate_ca.crt"), encoding: .utf8))
        #expect(key.publicKey.certificatePublicKey == intermediate.publicKey)
    }
}
