import Foundation
import PKCS11KMS
import PluginKit
import StepConfig
import Testing
@testable import Host

/// The PKCS#11 plugin's own behaviour: URI parsing, errors that name the URI without the PIN,
/// and its results cross-checked with pkcs11-tool and openssl on a real SoftHSM2 token.
@Suite("PKCS#11 plugin")
struct PKCS11PluginTests {
    // MARK: URIs

    struct URICase: Sendable, CustomTestStringConvertible {
        let uri: String
        var module: String? = nil
        var token: String? = nil
        var slot: UInt? = nil
        var id: [UInt8]? = nil
        var object: String? = nil
        var pin: String? = nil
        var pinSource: String? = nil
        var redacted: String? = nil
        var testDescription: String { uri }
    }

    static let uriCases: [URICase] = [
        URICase(uri: "pkcs11:module-path=/usr/lib/softhsm/libsofthsm2.so;token=smallstep?pin-value=password",
                module: "/usr/lib/softhsm/libsofthsm2.so", token: "smallstep", pin: "password",
                redacted: "pkcs11:module-path=/usr/lib/softhsm/libsofthsm2.so;token=smallstep"),
        URICase(uri: "pkcs11:id=7331;object=intermediate", id: [0x73, 0x31], object: "intermediate"),
        URICase(uri: "pkcs11:id=%01;object=ec-key", id: [0x01], object: "ec-key"),
        URICase(uri: "pkcs11:id=%30%31", id: [0x01]),
        URICase(uri: "pkcs11:id=0x0a0B", id: [0x0a, 0x0b]),
        URICase(uri: "pkcs11:id=abc", id: Array("abc".utf8)),
        URICase(uri: "pkcs11:token=My%20Token;object=key%3Bone", token: "My Token", object: "key;one"),
        URICase(uri: "PKCS11:slot-id=42?pin-source=/run/secrets/pin", slot: 42, pinSource: "/run/secrets/pin"),
        URICase(uri: "pkcs11:token=t?pin-source=file:/p&pin-value=s3cret", token: "t", pin: "s3cret",
                pinSource: "file:/p", redacted: "pkcs11:token=t?pin-source=file:/p"),
        URICase(uri: "pkcs11:", redacted: "pkcs11:"),
    ]

    @Test("RFC 7512 URIs: attributes, percent-decoding, step-ca's id rule, PIN-free text", arguments: uriCases)
    func parsesURIs(case c: URICase) throws {
        let uri = try PKCS11URI(parsing: c.uri)
        #expect(uri.modulePath == c.module)
        #expect(uri.text("token") == c.token)
        #expect(try uri.slotID() == c.slot)
        #expect(uri.id == c.id)
        #expect(uri.object.map { String(decoding: $0, as: UTF8.self) } == c.object)
        #expect(uri.pinValue.map { String(decoding: $0, as: UTF8.self) } == c.pin)
        #expect(uri.pinSource == c.pinSource)
        #expect(uri.redacted == (c.redacted ?? c.uri))
    }

    @Test("malformed URIs are invalid arguments whose messages never show the PIN", arguments: [
        "pkcs12:token=x?pin-value=topsecret",
        "pkcs11:id=%zz?pin-value=topsecret",
        "pkcs11:id=%4?pin-value=topsecret",
        "pkcs11:token=a;token=b?pin-value=topsecret",
        "pkcs11:token?pin-value=topsecret",
        "pkcs11:=x?pin-value=topsecret",
    ])
    func rejectsMalformedURIs(uri: String) {
        let error = #expect(throws: PluginError.self) { try PKCS11URI(parsing: uri) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("topsecret") == false, "\(error?.message ?? "")")
    }

    @Test("slot-id must be a number")
    func slotIDIsNumeric() throws {
        let uri = try PKCS11URI(parsing: "pkcs11:slot-id=first")
        #expect(throws: PluginError.self) { try uri.slotID() }
    }

    // MARK: Errors from a real token

    @Test("a wrong PIN is CKR_PIN_INCORRECT, names the token and URI, never the PIN",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func wrongPIN() async throws {
        let hsm = try SoftHSM.shared()
        let plugin = try loadPKCS11()
        let uri = hsm.uri(token: hsm.pinToken, pin: "987654")
        let error = await expectKMSError(.auth) {
            _ = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11","uri":"\#(uri)"}"#)
        }
        let message = error?.message ?? ""
        #expect(message.contains("CKR_PIN_INCORRECT"), "\(message)")
        #expect(message.contains("token=\(hsm.pinToken)"), "\(message)")
        #expect(!message.contains("987654"), "\(message)")
        #expect(!message.contains("\n"), "one line: \(message)")

        // The right PIN from a pin-source file opens the same token.
        try await withScratchDirectory("stepca-pkcs11-pin") { scratch in
            try "\(hsm.pin)\n".write(toFile: scratch.file("pin"), atomically: true, encoding: .utf8)
            let sourced = "pkcs11:module-path=\(hsm.module);token=\(hsm.pinToken)?pin-source=\(scratch.file("pin"))"
            let kms = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11","uri":"\#(sourced)"}"#)
            await kms.close()
            // ... and the stanza's pin is used when the URI has none.
            let stanza = #"{"type":"pkcs11","uri":"pkcs11:module-path=\#(hsm.module);token=\#(hsm.pinToken)","pin":"\#(hsm.pin)"}"#
            await (try await KeyManagerPlugin.open(plugin: plugin, configJSON: stanza)).close()
        }
    }

    @Test("an unknown token is not found, and the message lists the tokens seen",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func tokenNotFound() async throws {
        let hsm = try SoftHSM.shared()
        let uri = hsm.uri(token: "no-such-token")
        let error = await expectKMSError(.notFound) {
            _ = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: #"{"type":"pkcs11","uri":"\#(uri)"}"#)
        }
        let message = error?.message ?? ""
        for token in ["no-such-token", "\"\(hsm.token)\"", "\"\(hsm.pinToken)\"", "\"\(hsm.secondToken)\""] {
            #expect(message.contains(token), "\(token) in: \(message)")
        }
        #expect(!message.contains(hsm.pin), "\(message)")
    }

    @Test("a missing module, a library that is no module, and bad stanzas are reported with the URI",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func moduleErrors() async throws {
        let plugin = try loadPKCS11()
        let missing = "pkcs11:module-path=/nonexistent/libnothing.so;token=t?pin-value=sekrit"
        let error = await expectKMSError(.notFound) {
            _ = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11","uri":"\#(missing)"}"#)
        }
        #expect(error?.message.contains("/nonexistent/libnothing.so") == true)
        #expect(error?.message.contains("sekrit") == false)

        let libm = ["/lib/x86_64-linux-gnu/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6"].first { FileManager.default.fileExists(atPath: $0) }
        if let libm {
            let notModule = await expectKMSError(.invalidArgument) {
                _ = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11","uri":"pkcs11:module-path=\#(libm);token=t"}"#)
            }
            #expect(notModule?.message.contains("C_GetFunctionList") == true)
        }
        let noURI = await expectKMSError(.invalidArgument) {
            _ = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11"}"#)
        }
        #expect(noURI?.message.contains("kms.uri") == true, "\(noURI?.message ?? "")")
        let noModule = await expectKMSError(.invalidArgument) {
            _ = try await KeyManagerPlugin.open(plugin: plugin, configJSON: #"{"type":"pkcs11","uri":"pkcs11:token=stepca"}"#)
        }
        #expect(noModule?.message.contains("module-path") == true)
    }

    @Test("key errors: not found by id and label, wrong key type, unsupported algorithm, incomplete names",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func keyErrors() async throws {
        let hsm = try SoftHSM.shared()
        let kms = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: hsm.config(route: .direct))
        let ghost = "pkcs11:id=%ff%ee;object=ghost"
        let missing = await expectKMSError(.notFound) {
            _ = try await kms.sign(key: ghost, algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        #expect(missing?.message.contains("id=%ff%ee and object=ghost") == true, "\(missing?.message ?? "")")
        #expect(missing?.message.contains("token \"\(hsm.token)\"") == true, "\(missing?.message ?? "")")
        #expect(missing?.message.contains(hsm.pin) == false)

        let mismatch = await expectKMSError(.invalidArgument) {
            _ = try await kms.sign(key: hsm.rsaKeyName, algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        #expect(mismatch?.message.contains("RSA key") == true, "\(mismatch?.message ?? "")")
        await expectKMSError(.unsupported) {
            _ = try await kms.sign(key: hsm.ecKeyName, algorithm: .ed25519, digest: randomBytes(32))
        }
        await expectKMSError(.invalidArgument) {
            _ = try await kms.sign(key: "pkcs11:token=stepca", algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        await expectKMSError(.invalidArgument) {
            _ = try await kms.createKey(KMSKeyRequest(name: "pkcs11:object=label-only-\(uniqueKeySuffix())", type: .ecP256))
        }
        await expectKMSError(.invalidArgument) {
            _ = try await kms.createKey(KMSKeyRequest(name: "pkcs11:id=\(uniqueKeySuffix());object=x", type: .rsa, bits: 1024))
        }
        await kms.close()
    }

    // MARK: Opening from ca.json

    @Test("the opener maps ca.json's kms object to the plugin: none and softkms stay in the host, errors name the file",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func opener() async throws {
        let hsm = try SoftHSM.shared()
        let loader = PluginLoader(directories: [try TestEnvironment.swiftPluginDirectory()])
        #expect(try await KeyManagerOpener.open(nil, configFile: "ca.json", loader: loader) == nil)
        #expect(try await KeyManagerOpener.open(KMSConfig(type: "softkms"), configFile: "ca.json", loader: loader) == nil)

        let json = hsm.config(route: .direct)
        let kms = try #require(try await KeyManagerOpener.open(KMSConfig(uri: hsm.uri(), rawJSON: json),
                                                               configFile: "ca.json", loader: loader))
        #expect(kms.name == "pkcs11")
        let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: hsm.ecKeyName))
        #expect(try await signAndVerify(kms, key: hsm.ecKeyName, with: verifier, algorithm: .ecdsaSHA256))
        await kms.close()

        let missing = await #expect(throws: StartupError.self) {
            _ = try await KeyManagerOpener.open(KMSConfig(type: "nosuchkms", rawJSON: #"{"type":"nosuchkms"}"#),
                                                configFile: "/etc/step/ca.json", loader: loader)
        }
        #expect(missing?.code == .plugin)
        #expect(missing?.message.contains("/etc/step/ca.json") == true, "\(missing?.message ?? "")")

        let wrongPIN = hsm.uri(token: hsm.secondToken, pin: "246810")
        let refused = await #expect(throws: StartupError.self) {
            _ = try await KeyManagerOpener.open(KMSConfig(type: "pkcs11", uri: wrongPIN, rawJSON: #"{"type":"pkcs11","uri":"\#(wrongPIN)"}"#),
                                                configFile: "ca.json", loader: loader)
        }
        #expect(refused?.code == .key)
        #expect(refused?.message.contains("CKR_PIN_INCORRECT") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.contains("246810") == false)
    }

    // MARK: Cross-checks with pkcs11-tool and openssl

    @Test("public keys equal pkcs11-tool's export; signatures verify with openssl",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func crossCheckWithTools() async throws {
        let hsm = try SoftHSM.shared()
        let openssl = try TestEnvironment.requireTool("openssl")
        let kms = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: hsm.config(route: .direct))
        try await withScratchDirectory("stepca-pkcs11-tools") { scratch in
            let message = Array("signed through the PKCS#11 plugin".utf8)
            try Data(message).write(to: URL(fileURLWithPath: scratch.file("data")))
            let checks: [(key: String, id: String, algorithm: KMSSignatureAlgorithm, options: [String])] = [
                (hsm.ecKeyName, "01", .ecdsaSHA256, ["-sha256"]),
                (hsm.ecKeyName, "01", .ecdsaSHA384, ["-sha384"]),
                (hsm.rsaKeyName, "02", .rsaPKCS1SHA256, ["-sha256"]),
                (hsm.rsaKeyName, "02", .rsaPSSSHA384, ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48"]),
            ]
            for check in checks {
                let spki = try await kms.publicKey(name: check.key)
                let exported = try hsm.pkcs11Tool(["--token-label", hsm.token, "--read-object", "--type", "pubkey",
                                                   "--id", check.id, "-o", scratch.file("tool-\(check.id).der")])
                #expect(exported.status == 0, "\(exported.output)")
                let toolDER = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("tool-\(check.id).der"))))
                #expect(toolDER == spki, "pkcs11-tool's public key of id \(check.id) equals the plugin's")

                try Data(spki).write(to: URL(fileURLWithPath: scratch.file("pub.der")))
                let pem = try run(openssl, ["pkey", "-pubin", "-inform", "DER", "-in", scratch.file("pub.der"), "-out", scratch.file("pub.pem")])
                #expect(pem.status == 0, "\(pem.output)")
                let signature = try await kms.sign(key: check.key, algorithm: check.algorithm, digest: kmsDigest(message, for: check.algorithm))
                try Data(signature).write(to: URL(fileURLWithPath: scratch.file("sig")))
                let verified = try run(openssl, ["dgst"] + check.options + ["-verify", scratch.file("pub.pem"),
                                                                            "-signature", scratch.file("sig"), scratch.file("data")])
                #expect(verified.status == 0 && verified.output.contains("Verified OK"), "\(check.algorithm): \(verified.output)")
            }
        }
        await kms.close()
    }

    @Test("keys and certificates the plugin creates are token objects pkcs11-tool sees",
          .enabled(if: SoftHSM.isAvailable, "SoftHSM2 is not installed"))
    func createdObjectsAreOnTheToken() async throws {
        let hsm = try SoftHSM.shared()
        let suffix = uniqueKeySuffix()
        let name = "pkcs11:id=\(suffix);object=made-by-plugin-\(suffix)"
        let kms = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: hsm.config(route: .direct))
        let created = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP384))
        #expect(created.name == name)
        let der = try selfSignedCertificate(commonName: "pkcs11 plugin \(suffix)")
        try await kms.storeCertificate(name: name, der: der)
        await expectKMSError(.conflict) { try await kms.storeCertificate(name: name, der: der) }
        await kms.close()

        try await withScratchDirectory("stepca-pkcs11-objects") { scratch in
            let listing = try hsm.pkcs11Tool(["--token-label", hsm.token, "--login", "--pin", hsm.pin,
                                              "--list-objects", "--type", "privkey"])
            #expect(listing.output.contains("made-by-plugin-\(suffix)"), "\(listing.output)")
            #expect(listing.output.contains("ID:         \(suffix)"), "\(listing.output)")
            let read = try hsm.pkcs11Tool(["--token-label", hsm.token, "--read-object", "--type", "cert",
                                           "--label", "made-by-plugin-\(suffix)", "-o", scratch.file("cert.der")])
            #expect(read.status == 0, "\(read.output)")
            let toolDER = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("cert.der"))))
            #expect(toolDER == der)
        }

        // Deleting the key removes both halves; the certificate stays.
        let reopened = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: hsm.config(route: .direct))
        try await reopened.deleteKey(name: name)
        await expectKMSError(.notFound) { _ = try await reopened.sign(key: name, algorithm: .ecdsaSHA384, digest: randomBytes(48)) }
        #expect(try await reopened.loadCertificate(name: name) == der)
        await reopened.close()
    }

    // MARK: Throughput

    /// Signing throughput at 16 concurrent tasks (a measurement, not a timed assertion): run with
    /// `STEPCA_KMS_BENCH=1 swift test --filter "PKCS#11 plugin"`.
    @Test("signing throughput through SoftHSM2 at 16 concurrent tasks",
          .enabled(if: SoftHSM.isAvailable && ProcessInfo.processInfo.environment["STEPCA_KMS_BENCH"] == "1"))
    func throughput() async throws {
        let hsm = try SoftHSM.shared()
        for route in [SoftHSM.Route.direct, .p11KitProxy] {
            let kms = try await KeyManagerPlugin.open(plugin: try loadPKCS11(), configJSON: hsm.config(route: route))
            for (key, algorithm, count) in [(hsm.ecKeyName, KMSSignatureAlgorithm.ecdsaSHA256, 4000),
                                            (hsm.rsaKeyName, .rsaPKCS1SHA256, 1600)] {
                let digest = kmsDigest(randomBytes(64), for: algorithm)
                _ = try await kms.sign(key: key, algorithm: algorithm, digest: digest)
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask {
                            for _ in 0..<(count / 16) { _ = try await kms.sign(key: key, algorithm: algorithm, digest: digest) }
                        }
                    }
                    try await group.waitForAll()
                }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print("PKCS#11 throughput (\(route), C=16): \(algorithm) \(count) signatures in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds))/s")
            }
            await kms.close()
        }
    }
}

/// The PKCS#11 plugin from the build directory, through the host's loader.
func loadPKCS11() throws -> LoadedPlugin {
    try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "pkcs11")
}
