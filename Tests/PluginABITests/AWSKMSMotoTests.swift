import AWSKMS
import Foundation
import PluginKit
import Testing
@testable import Host

/// The AWS KMS plugin against moto with SigV4 checking on (`scripts/services/moto.sh`).
/// Skipped when moto is not running; in CI (`CI=true`) a missing moto fails.
@Suite("AWSKMS live against moto", .enabled(if: AWSKMSMoto.enabled), .serialized)
struct AWSKMSMotoTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let request: KeyRequest
        let algorithms: [SignatureAlgorithm]
        var testDescription: String { "\(request.type)\(request.bits > 0 ? "-\(request.bits)" : "")" }
    }

    static let cases: [Case] = [
        Case(request: KeyRequest(name: "", type: .ecP256), algorithms: [.ecdsaSHA256]),
        Case(request: KeyRequest(name: "", type: .ecP384), algorithms: [.ecdsaSHA384]),
        Case(request: KeyRequest(name: "", type: .ecP521), algorithms: [.ecdsaSHA512]),
        Case(request: KeyRequest(name: "", type: .rsa, bits: 2048), algorithms: [
            .rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512, .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512,
        ]),
    ]

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0..<UInt32.max))"
    }

    @Test("create key + alias, export the public key, sign with each algorithm; signatures verify", arguments: cases)
    func createAndSign(testCase: Case) async throws {
        let kms = try AWSKMSMoto.manager()
        defer { kms.close() }
        var request = testCase.request
        request.name = Self.uniqueName("stepca-test")
        let created = try kms.createKey(request)
        #expect(created.name.hasPrefix("awskms:key-id="))
        let keyID = try awsKeyID(fromName: created.name)
        #expect(try kms.publicKey(name: created.name) == created.publicKeyDER)
        // the alias step-ca gives the key names the same key
        let segment = keyID.split(separator: "-").first.map(String.init) ?? keyID
        let alias = "alias/\(request.name)-\(segment)"
        #expect(try kms.publicKey(name: alias) == created.publicKeyDER)
        #expect(try kms.publicKey(name: "awskms:key-id=\(alias)") == created.publicKeyDER)

        for algorithm in testCase.algorithms {
            let message = Array("message for \(algorithm)".utf8)
            let digest = AWSKMSVerifier.digest(message, algorithm)
            let asynchronous = try await kms.signed(key: created.name, algorithm: algorithm, digest: digest)
            #expect(try AWSKMSVerifier.verifies(spki: created.publicKeyDER, signature: asynchronous, message: message, algorithm: algorithm),
                    "\(algorithm) (async) does not verify")
            let synchronous = try kms.sign(key: alias, algorithm: algorithm, digest: digest)
            #expect(try AWSKMSVerifier.verifies(spki: created.publicKeyDER, signature: synchronous, message: message, algorithm: algorithm),
                    "\(algorithm) (sync, by alias) does not verify")
            // a signature over another message must not verify
            #expect(try !AWSKMSVerifier.verifies(spki: created.publicKeyDER, signature: asynchronous,
                                                 message: message + [0], algorithm: algorithm))
        }
    }

    @Test("a wrong secret key is refused by the server's SigV4 check; the error carries 403 and AWS's code")
    func wrongSecret() async throws {
        let good = try AWSKMSMoto.manager()
        defer { good.close() }
        let created = try good.createKey(KeyRequest(name: Self.uniqueName("stepca-auth"), type: .ecP256))
        let secret = try AWSKMSMoto.server().secretAccessKey
        let bad = try AWSKMSMoto.manager(secret: String(secret.reversed()))
        defer { bad.close() }
        do {
            _ = try bad.publicKey(name: created.name)
            Issue.record("a request signed with the wrong secret succeeded: SigV4 is not checked")
        } catch let error as PluginError {
            #expect(error.code == .auth, "\(error)")
            #expect(error.message.contains("HTTP 403"), "\(error)")
            #expect(error.message.contains("SignatureDoesNotMatch"), "\(error)")
            #expect(!error.message.contains(secret))
        }
        do {
            _ = try await bad.signed(key: created.name, algorithm: .ecdsaSHA256, digest: [UInt8](repeating: 1, count: 32))
            Issue.record("a signature with the wrong secret succeeded")
        } catch let error as PluginError {
            #expect(error.code == .auth, "\(error)")
        }
    }

    @Test("an unknown key is not found, and the message names it")
    func unknownKey() async throws {
        let kms = try AWSKMSMoto.manager()
        defer { kms.close() }
        let missing = "awskms:key-id=00000000-1111-2222-3333-444444444444"
        do {
            _ = try kms.publicKey(name: missing)
            Issue.record("an unknown key was found")
        } catch let error as PluginError {
            #expect(error.code == .notFound, "\(error)")
            #expect(error.message.contains("00000000-1111-2222-3333-444444444444"))
            #expect(error.message.contains("NotFoundException"))
        }
        do {
            _ = try await kms.signed(key: "alias/no-such-alias-7f7e", algorithm: .ecdsaSHA256, digest: [UInt8](repeating: 2, count: 32))
            Issue.record("an unknown alias signed")
        } catch let error as PluginError {
            #expect(error.code == .notFound, "\(error)")
            #expect(error.message.contains("alias/no-such-alias-7f7e"))
        }
    }

    @Test("a digest of the wrong length is refused before any request")
    func wrongDigest() throws {
        let kms = try AWSKMSMoto.manager()
        defer { kms.close() }
        #expect(throws: PluginError.self) {
            try kms.sign(key: "alias/whatever", algorithm: .ecdsaSHA384, digest: [UInt8](repeating: 0, count: 32))
        }
    }

    @Test("32 concurrent asynchronous signatures all verify")
    func concurrentSignatures() async throws {
        let kms = try AWSKMSMoto.manager()
        defer { kms.close() }
        let created = try kms.createKey(KeyRequest(name: Self.uniqueName("stepca-concurrent"), type: .ecP256))
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let message = Array("concurrent \(index)".utf8)
                    let signature = try await kms.signed(key: created.name, algorithm: .ecdsaSHA256,
                                                         digest: AWSKMSVerifier.digest(message, .ecdsaSHA256))
                    return try AWSKMSVerifier.verifies(spki: created.publicKeyDER, signature: signature, message: message,
                                                       algorithm: .ecdsaSHA256)
                }
            }
            var all: [Bool] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 32)
        #expect(results.allSatisfy { $0 })
    }

    @Test("through libstepca-kms-aws.so and the host: credentials-file= in kms.uri, async signing, key creation")
    func throughThePlugin() async throws {
        let server = try AWSKMSMoto.server()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("awskms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("credentials").path
        try "[ca]\naws_access_key_id = \(server.accessKeyID)\naws_secret_access_key = \(server.secretAccessKey)\n"
            .write(toFile: credentials, atomically: true, encoding: .utf8)
        let config = """
            {"type":"awskms","uri":"awskms:region=\(server.region);profile=ca;credentials-file=\(credentials);endpoint=\(server.endpoint)"}
            """
        let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "awskms")
        let kms = try await KeyManagerPlugin.open(plugin: plugin, configJSON: config)
        let created = try await kms.createKey(KMSKeyRequest(name: Self.uniqueName("stepca-plugin"), type: .ecP384))
        #expect(created.name.hasPrefix("awskms:key-id="))
        #expect(try await kms.publicKey(name: created.name) == created.publicKeyDER)
        let message = Array("through the plugin".utf8)
        let signature = try await kms.sign(key: created.name, algorithm: .ecdsaSHA384,
                                           digest: AWSKMSVerifier.digest(message, .ecdsaSHA384))
        #expect(try AWSKMSVerifier.verifies(spki: created.publicKeyDER, signature: signature, message: message, algorithm: .ecdsaSHA384))
        do {
            _ = try await kms.publicKey(name: "awskms:key-id=alias/missing-7f7e")
            Issue.record("an unknown alias was found through the plugin")
        } catch let error as KMSError {
            #expect(error.code == .notFound, "\(error)")
        }
        await kms.close()
    }
}
