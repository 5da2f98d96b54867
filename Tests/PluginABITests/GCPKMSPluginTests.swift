import Foundation
import Testing
@testable import Host

/// The cloudkms plugin, loaded by the host's loader, against the Cloud KMS test server
/// (`scripts/services/gcpkms_fake.py`), and that server against Google's own SDK. Skipped locally
/// when python3 or its modules are missing; in CI (`CI=true`) they run and fail.
@Suite("GCPKMS plugin against the Cloud KMS test server", .enabled(if: GCPKMSFake.enabled), .timeLimit(.minutes(3)))
struct GCPKMSPluginTests {
    @Test("Google's SDK (google-cloud-kms, REST transport) accepts the test server",
          .enabled(if: GCPKMSFake.sdkEnabled))
    func sdkCheck() throws {
        let fake = try sharedGCPKMSFake()
        let python = try TestEnvironment.requireTool("python3")
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/gcpkms_sdk_check.py").path
        var environment = ProcessInfo.processInfo.environment
        environment.merge(fake.environment) { _, new in new }
        let result = try GCPKMSFake.run(python, [script], environment: environment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("gcpkms sdk check: OK"), "\(result.output)")
        #expect(result.output.components(separatedBy: "\nok: ").count > 30, "\(result.output)")
    }

    @Test("created keys (P-256, P-384, RSA-2048 PKCS#1 and PSS) export their public key and sign verifiably")
    func createAndSign() async throws {
        let fake = try sharedGCPKMSFake()
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        let cases: [(String, KMSKeyType, Int, KMSSignatureAlgorithm?, KMSSignatureAlgorithm, String)] = [
            ("p256", .ecP256, 0, nil, .ecdsaSHA256, "P-256"),
            ("p384", .ecP384, 0, nil, .ecdsaSHA384, "P-384"),
            ("rsa-pkcs1", .rsa, 2048, .rsaPKCS1SHA256, .rsaPKCS1SHA256, "RSA-2048"),
            ("rsa-pss", .rsa, 2048, .rsaPSSSHA256, .rsaPSSSHA256, "RSA-2048"),
        ]
        for (label, type, bits, requested, algorithm, kind) in cases {
            let name = fake.newKeyName(label)
            let created = try await kms.createKey(KMSKeyRequest(name: name, type: type, bits: bits, signatureAlgorithm: requested))
            #expect(created.name == name + "/cryptoKeyVersions/1")
            let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
            #expect(verifier.kind == kind, "\(label)")
            #expect(try await kms.publicKey(name: created.name) == created.publicKeyDER)
            #expect(try await kms.publicKey(name: "cloudkms:" + created.name) == created.publicKeyDER)
            let message = randomBytes(200)
            let signature = try await kms.sign(key: created.name, algorithm: algorithm, digest: kmsDigest(message, for: algorithm))
            #expect(verifier.verifies(signature, message: message, algorithm: algorithm), "\(label)")
            #expect(!verifier.verifies(signature, message: message + [0], algorithm: algorithm), "\(label)")
            // The key's algorithm decides the padding: asking another one is refused, not mis-signed.
            let other: KMSSignatureAlgorithm = algorithm == .rsaPSSSHA256 ? .rsaPKCS1SHA256 : algorithm == .rsaPKCS1SHA256 ? .rsaPSSSHA256 : .ecdsaSHA512
            await expectKMSError(.invalidArgument) {
                _ = try await kms.sign(key: created.name, algorithm: other, digest: kmsDigest(message, for: other))
            }
            // The same version again is taken; the key name without a version gets version 2 (as step-ca does).
            await expectKMSError(.conflict) {
                _ = try await kms.createKey(KMSKeyRequest(name: created.name, type: type, bits: bits, signatureAlgorithm: requested))
            }
        }
        let name = fake.newKeyName("versions")
        _ = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP256))
        let second = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP256))
        #expect(second.name == name + "/cryptoKeyVersions/2")
        #expect(try await kms.publicKey(name: name + "/cryptoKeyVersions/1") != second.publicKeyDER)
    }

    @Test("an unknown key is not found and the message names it; a foreign project is an auth error")
    func notFound() async throws {
        let fake = try sharedGCPKMSFake()
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        let name = "projects/\(fake.project)/locations/global/keyRings/none/cryptoKeys/missing/cryptoKeyVersions/1"
        let exportError = await expectKMSError(.notFound) { _ = try await kms.publicKey(name: name) }
        #expect(exportError?.pluginMessage.contains(name) == true, "\(exportError?.message ?? "")")
        #expect(exportError?.pluginMessage.contains("HTTP 404 NOT_FOUND") == true, "\(exportError?.message ?? "")")
        let signError = await expectKMSError(.notFound) {
            _ = try await kms.sign(key: name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        #expect(signError?.pluginMessage.contains(name) == true, "\(signError?.message ?? "")")
        let foreign = await expectKMSError(.auth) {
            _ = try await kms.publicKey(name: "projects/other/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1")
        }
        #expect(foreign?.pluginMessage.contains("PERMISSION_DENIED") == true, "\(foreign?.message ?? "")")
        await expectKMSError(.invalidArgument) { _ = try await kms.publicKey(name: "projects/p/keys/k") }
        await expectKMSError(.invalidArgument) {
            _ = try await kms.sign(key: name, algorithm: .ecdsaSHA256, digest: randomBytes(20))
        }
    }

    @Test("the keys that exist from the start sign (P-256 and RSA-2048 PKCS#1)")
    func existingKeys() async throws {
        let fake = try sharedGCPKMSFake()
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        for (key, algorithm, kind) in [(fake.ecKey, KMSSignatureAlgorithm.ecdsaSHA256, "P-256"), (fake.rsaKey, .rsaPKCS1SHA256, "RSA-2048")] {
            let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: key))
            #expect(verifier.kind == kind)
            #expect(try await signAndVerify(kms, key: key, with: verifier, algorithm: algorithm), "\(key)")
        }
    }

    @Test("32 concurrent signatures all verify")
    func concurrentSignatures() async throws {
        let fake = try sharedGCPKMSFake()
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        let created = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("concurrent"), type: .ecP256))
        let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256) }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 })
    }

    @Test("the API refuses a wrong or missing bearer token, in Google's error shape")
    func wrongBearer() throws {
        let fake = try sharedGCPKMSFake()
        let path = "/v1/projects/\(fake.project)/locations/global/keyRings"
        for bearer in ["ya29.wrong-token", "a.b.c", nil] as [String?] {
            let answer = try fake.curl("GET", path, bearer: bearer)
            #expect(answer.status == 401, "\(bearer ?? "none"): \(answer.body)")
            let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            let error = object?["error"] as? [String: Any]
            #expect(error?["status"] as? String == "UNAUTHENTICATED" && error?["code"] as? Int == 401, "\(answer.body)")
        }
    }

    @Test("a service account whose key the token endpoint does not know is refused: auth error, no secret in the message")
    func foreignServiceAccount() async throws {
        let fake = try sharedGCPKMSFake()
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fake.credentialsFile))) as! [String: Any]
        let forged = try serviceAccountJSON(email: original["client_email"] as! String, tokenURI: original["token_uri"] as! String,
                                            keyID: original["private_key_id"] as! String)
        let path = NSTemporaryDirectory() + "gcpkms-forged-\(uniqueKeySuffix()).json"
        try Data(forged).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let kms = try await openGCPKMS(fake.config(credentials: path))
        defer { Task { await kms.close() } }
        let name = "projects/\(fake.project)/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"
        let error = await expectKMSError(.auth) { _ = try await kms.publicKey(name: name) }
        #expect(error?.pluginMessage.contains("invalid_grant") == true, "\(error?.message ?? "")")
        #expect(error?.pluginMessage.contains("PRIVATE KEY") == false)
    }

    @Test("endpoint and ca-file: without the CA the TLS handshake fails; a wrong endpoint is unavailable")
    func endpointAndCAFile() async throws {
        let fake = try sharedGCPKMSFake()
        let name = "projects/\(fake.project)/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"
        let untrusted = try await openGCPKMS(fake.config(caFile: .some(nil)))
        let tlsError = await expectKMSError(.unavailable) { _ = try await untrusted.publicKey(name: name) }
        #expect(tlsError?.pluginMessage.contains("attempt") == true, "\(tlsError?.message ?? "")")
        await untrusted.close()
        let port = try freeLocalPort()
        let nowhere = try await openGCPKMS(fake.config(endpoint: "https://127.0.0.1:\(port)"))
        await expectKMSError(.unavailable) { _ = try await nowhere.publicKey(name: name) }
        await nowhere.close()
        await #expect(throws: KMSError.self) {
            _ = try await openGCPKMS(fake.config(caFile: .some("/nonexistent/ca.pem")))
        }
    }
}

/// Tests that change a server's state (token lifetime, injected failures) get a server of their own.
@Suite("GCPKMS plugin: tokens and retries", .enabled(if: GCPKMSFake.enabled), .serialized, .timeLimit(.minutes(3)))
struct GCPKMSTokenTests {
    @Test("tokens are cached, refreshed before they expire, and the refreshed token works")
    func tokenRefresh() async throws {
        let fake = try GCPKMSFake(tokenTTL: 20)
        defer { fake.stop() }
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        let created = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("refresh"), type: .ecP256))
        let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
        #expect(try fake.stats()["tokenGrants"] == 1, "one token for the creation calls")
        #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
        #expect(try fake.stats()["tokenGrants"] == 1, "the cached token is reused")
        // Refreshed 5 s (a quarter of its lifetime) before it expires; a loaded machine needs the slack.
        try await Task.sleep(for: .seconds(20.2))  // past the token's lifetime: the fake would reject it
        #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
        #expect(try fake.stats()["tokenGrants"] == 2, "a new token after the old one's refresh time")
    }

    @Test("503 answers are retried with back-off; too many fail with the HTTP and Google status")
    func retries() async throws {
        let fake = try GCPKMSFake()
        defer { fake.stop() }
        let kms = try await openGCPKMS(fake.config())
        defer { Task { await kms.close() } }
        let created = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("retry"), type: .ecP256))
        let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
        _ = try fake.curl("POST", "/admin/fail?status=503&count=2")
        let before = try fake.stats()["requests"] ?? 0
        #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
        #expect(try fake.stats()["requests"] == before + 3, "two failures, then the signature")
        _ = try fake.curl("POST", "/admin/fail?status=503&count=50")
        let error = await expectKMSError(.unavailable) {
            _ = try await kms.sign(key: created.name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        #expect(error?.pluginMessage.contains("HTTP 503 UNAVAILABLE") == true, "\(error?.message ?? "")")
        #expect(error?.pluginMessage.contains(created.name) == true)
        _ = try fake.curl("POST", "/admin/fail?status=503&count=0")
    }
}
