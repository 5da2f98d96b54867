import Foundation
import Testing
@testable import Host

/// The azurekms plugin, loaded by the host's loader, against the Key Vault test server
/// (`scripts/services/azurekv_fake.py`), and that server against Microsoft's own SDK. Skipped
/// locally when python3 or its modules are missing; in CI (`CI=true`) they run and fail. Every
/// test runs under a time limit, so a hang fails it instead of blocking the suite.
@Suite("AzureKMS plugin against the Key Vault test server", .enabled(if: AzureKVFake.enabled))
struct AzureKMSPluginTests {
    @Test("Microsoft's SDK (azure-keyvault-keys + azure-identity) accepts the test server",
          .enabled(if: AzureKVFake.sdkEnabled))
    func sdkCheck() throws {
        let fake = try sharedAzureKVFake()
        let python = try TestEnvironment.requireTool("python3")
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/azurekv_sdk_check.py").path
        var environment = ProcessInfo.processInfo.environment
        environment.merge(fake.environment) { _, new in new }
        let result = try AzureKVFake.run(python, [script], environment: environment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("azurekv sdk check: OK"), "\(result.output)")
        #expect(result.output.components(separatedBy: "\nok: ").count > 40, "\(result.output)")
    }

    @Test("created keys (P-256, P-384, RSA-2048 PKCS#1 and PSS, EC-HSM) export their public key and sign verifiably")
    func createAndSign() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(120, "create and sign") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            let cases: [(String, KMSKeyType, Int, KMSSignatureAlgorithm?, Bool, KMSSignatureAlgorithm, String)] = [
                ("p256", .ecP256, 0, nil, false, .ecdsaSHA256, "P-256"),
                ("p384", .ecP384, 0, nil, false, .ecdsaSHA384, "P-384"),
                ("rsa-pkcs1", .rsa, 2048, .rsaPKCS1SHA256, false, .rsaPKCS1SHA256, "RSA-2048"),
                ("rsa-pss", .rsa, 2048, .rsaPSSSHA256, false, .rsaPSSSHA256, "RSA-2048"),
                ("hsm", .ecP256, 0, nil, true, .ecdsaSHA256, "P-256"),
            ]
            for (label, type, bits, requested, hardware, algorithm, kind) in cases {
                let name = fake.newKeyName(label)
                let created = try await kms.createKey(KMSKeyRequest(name: name, type: type, bits: bits, hardware: hardware,
                                                                    signatureAlgorithm: requested))
                #expect(created.name.hasPrefix(name + "?version="), "\(created.name)")
                let version = String(created.name.split(separator: "=").last ?? "")
                #expect(version.count == 32 && version.allSatisfy(\.isHexDigit), "\(created.name)")
                let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
                #expect(verifier.kind == kind, "\(label)")
                #expect(try await kms.publicKey(name: created.name) == created.publicKeyDER)
                #expect(try await kms.publicKey(name: name) == created.publicKeyDER, "without a version: the latest")
                for key in [created.name, name] {
                    let message = randomBytes(200)
                    let signature = try await kms.sign(key: key, algorithm: algorithm, digest: kmsDigest(message, for: algorithm))
                    #expect(verifier.verifies(signature, message: message, algorithm: algorithm), "\(label) \(key)")
                    #expect(!verifier.verifies(signature, message: message + [0], algorithm: algorithm), "\(label)")
                }
                // The key's type decides: ECDSA with another curve's algorithm is refused, not mis-signed.
                let other: KMSSignatureAlgorithm = type == .rsa ? .ecdsaSHA256 : algorithm == .ecdsaSHA256 ? .ecdsaSHA384 : .ecdsaSHA256
                await expectKMSError(.invalidArgument) {
                    _ = try await kms.sign(key: created.name, algorithm: other, digest: kmsDigest(randomBytes(8), for: other))
                }
                let stored = try await azureKeyType(fake, String(name.dropFirst("azurekms:name=".count).prefix { $0 != ";" }))
                #expect(stored == (type == .rsa ? "RSA" : "EC") + (hardware ? "-HSM" : ""), "\(label): \(stored)")
            }
            // RSA keys sign with every RSA algorithm.
            let rsa = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("rsa-all"), type: .rsa, bits: 2048))
            let rsaVerifier = try KMSVerifyingKey(spki: rsa.publicKeyDER)
            for algorithm in [KMSSignatureAlgorithm.rsaPKCS1SHA384, .rsaPKCS1SHA512, .rsaPSSSHA384, .rsaPSSSHA512] {
                #expect(try await signAndVerify(kms, key: rsa.name, with: rsaVerifier, algorithm: algorithm), "\(algorithm)")
            }
            // Creating under a taken name adds a version (Key Vault's semantics, as step-ca).
            let name = fake.newKeyName("versions")
            let first = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP256))
            let second = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP256))
            #expect(first.name != second.name && first.publicKeyDER != second.publicKeyDER)
            #expect(try await kms.publicKey(name: first.name) == first.publicKeyDER)
            await expectKMSError(.invalidArgument) {
                _ = try await kms.createKey(KMSKeyRequest(name: first.name, type: .ecP256))
            }
        }
    }

    @Test("hsm=true in the name or the request creates an EC-HSM key")
    func hsmKeys() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(60, "hsm keys") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            for (name, hardware) in [(fake.newKeyName("hsm-flag"), true), (fake.newKeyName("hsm-name") + "?hsm=true", false)] {
                let created = try await kms.createKey(KMSKeyRequest(name: name, type: .ecP256, hardware: hardware))
                let keyName = String(created.name.dropFirst("azurekms:name=".count).prefix { $0 != ";" })
                let kty = try await azureKeyType(fake, keyName)
                #expect(kty == "EC-HSM", "\(created.name): \(kty)")
            }
            let soft = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("soft"), type: .rsa, bits: 2048))
            let kty = try await azureKeyType(fake, String(soft.name.dropFirst("azurekms:name=".count).prefix { $0 != ";" }))
            #expect(kty == "RSA")
        }
    }

    @Test("the keys that exist from the start sign (P-256 and RSA-2048)")
    func existingKeys() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(60, "existing keys") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            for (key, algorithm, kind) in [(fake.ecKey, KMSSignatureAlgorithm.ecdsaSHA256, "P-256"), (fake.rsaKey, .rsaPSSSHA256, "RSA-2048")] {
                let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: key))
                #expect(verifier.kind == kind)
                #expect(try await signAndVerify(kms, key: key, with: verifier, algorithm: algorithm), "\(key)")
            }
        }
    }

    @Test("an unknown key is not found and the message names it with Key Vault's status and code")
    func notFound() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(60, "not found") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            let name = "azurekms:name=missing-\(uniqueKeySuffix());vault=test-vault"
            let exportError = await expectKMSError(.notFound) { _ = try await kms.publicKey(name: name) }
            #expect(exportError?.pluginMessage.contains(name) == true, "\(exportError?.message ?? "")")
            #expect(exportError?.pluginMessage.contains("HTTP 404 KeyNotFound") == true, "\(exportError?.message ?? "")")
            let signError = await expectKMSError(.notFound) {
                _ = try await kms.sign(key: name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
            }
            #expect(signError?.pluginMessage.contains(name) == true, "\(signError?.message ?? "")")
            let version = "azurekms:name=seed-ec;vault=test-vault?version=0123456789abcdef0123456789abcdef"
            await expectKMSError(.notFound) { _ = try await kms.publicKey(name: version) }
            await expectKMSError(.invalidArgument) { _ = try await kms.publicKey(name: "azurekms:vault=test-vault") }
            await expectKMSError(.invalidArgument) { _ = try await kms.publicKey(name: "awskms:key-id=1") }
            await expectKMSError(.invalidArgument) {
                _ = try await kms.sign(key: fake.ecKey, algorithm: .ecdsaSHA256, digest: randomBytes(20))
            }
            await expectKMSError(.unsupported) {
                _ = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("ed"), type: .ed25519))
            }
        }
    }

    @Test("32 concurrent signatures all verify")
    func concurrentSignatures() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(120, "32 concurrent signatures") {
            let kms = try await openAzureKMS(fake.config())
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
    }

    @Test("the vault refuses a wrong or missing bearer token with Key Vault's challenge and error shape")
    func wrongBearer() throws {
        let fake = try sharedAzureKVFake()
        for bearer in ["wrong-token", "eyJ0eXAiOiJKV1QifQ.fake-forged", nil] as [String?] {
            let answer = try fake.curl("GET", "/keys/seed-ec?api-version=7.4", bearer: bearer)
            #expect(answer.status == 401, "\(bearer ?? "none"): \(answer.body)")
            #expect(answer.headers.lowercased().contains(
                "www-authenticate: bearer authorization=\"https://login.microsoftonline.com/\(fake.tenantID)\", resource=\"https://vault.azure.net\""),
                "\(answer.headers)")
            let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            let error = object?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "Unauthorized", "\(answer.body)")
        }
    }

    @Test("a wrong client secret is an auth error with AAD's code; no secret in the message")
    func wrongSecret() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(60, "wrong secret") {
            let secret = "wrong-" + fake.clientSecret
            let kms = try await openAzureKMS(fake.config(secret: secret))
            defer { Task { await kms.close() } }
            let error = await expectKMSError(.auth) { _ = try await kms.publicKey(name: fake.ecKey) }
            #expect(error?.pluginMessage.contains("AADSTS7000215") == true, "\(error?.message ?? "")")
            #expect(error?.pluginMessage.contains("HTTP 401 invalid_client") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(secret) == false)
            #expect(error?.message.contains(fake.clientSecret) == false)
            let unknown = try await openAzureKMS(fake.config(clientID: "00000000-0000-0000-0000-000000000000"))
            defer { Task { await unknown.close() } }
            let clientError = await expectKMSError(.auth) { _ = try await unknown.publicKey(name: fake.ecKey) }
            #expect(clientError?.pluginMessage.contains("AADSTS700016") == true, "\(clientError?.message ?? "")")
        }
    }

    @Test("managed identity: IMDS tokens (AZURE_POD_IDENTITY_AUTHORITY_HOST) for the assigned identity; an unknown one is refused")
    func managedIdentity() async throws {
        let fake = try AzureKVFake()  // its own server: the SDK check uses the shared one's IMDS too
        defer { fake.stop() }
        useFakeIMDS(fake)
        try await withTimeLimit(60, "managed identity") {
            let before = try fake.stats()["imdsGrants"] ?? 0
            #expect(before == 0)
            let kms = try await openAzureKMS(fake.config(credentials: false, clientID: fake.managedIdentityClientID))
            defer { Task { await kms.close() } }
            let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: fake.ecKey))
            for _ in 0..<3 {
                #expect(try await signAndVerify(kms, key: fake.ecKey, with: verifier, algorithm: .ecdsaSHA256))
            }
            #expect(try fake.stats()["imdsGrants"] == 1, "one managed-identity token, cached")
            #expect(try fake.stats()["tokenGrants"] == 0, "no client-credentials grant")
            let other = try await openAzureKMS(fake.config(credentials: false, clientID: "00000000-0000-0000-0000-0000000000aa"))
            defer { Task { await other.close() } }
            let error = await expectKMSError(.auth) { _ = try await other.publicKey(name: fake.ecKey) }
            #expect(error?.pluginMessage.contains("Identity not found") == true, "\(error?.message ?? "")")
        }
    }

    @Test("endpoint and ca-file: without the CA the TLS handshake fails; a wrong endpoint is unavailable")
    func endpointAndCAFile() async throws {
        let fake = try sharedAzureKVFake()
        try await withTimeLimit(120, "endpoint and ca-file") {
            let untrusted = try await openAzureKMS(fake.config(caFile: .some(nil)))
            let tlsError = await expectKMSError(.unavailable) { _ = try await untrusted.publicKey(name: fake.ecKey) }
            #expect(tlsError?.pluginMessage.contains("TLS handshake") == true, "\(tlsError?.message ?? "")")
            await untrusted.close()
            let port = try freeLocalPort()
            let nowhere = try await openAzureKMS(fake.config(endpoint: "https://127.0.0.1:\(port)"))
            await expectKMSError(.unavailable) { _ = try await nowhere.publicKey(name: fake.ecKey) }
            await nowhere.close()
            await #expect(throws: KMSError.self) {
                _ = try await openAzureKMS(fake.config(caFile: .some("/nonexistent/ca.pem")))
            }
        }
    }
}

/// The `kty` the vault stores for a key (read with a token from the fake's AAD endpoint).
func azureKeyType(_ fake: AzureKVFake, _ name: String) async throws -> String {
    let curl = try TestEnvironment.requireTool("curl")
    let form = "grant_type=client_credentials&client_id=\(fake.clientID)&client_secret=\(fake.clientSecret)"
        + "&scope=https%3A%2F%2Fvault.azure.net%2F.default"
    let token = try AzureKVFake.run(curl, ["-s", "--cacert", fake.caFile, "-d", form,
                                           "\(fake.vaultURL)/\(fake.tenantID)/oauth2/v2.0/token"])
    let tokenObject = try JSONSerialization.jsonObject(with: Data(token.output.utf8)) as? [String: Any]
    guard let bearer = tokenObject?["access_token"] as? String else { throw TestSetupError("no token: \(token.output)") }
    let answer = try fake.curl("GET", "/keys/\(name)?api-version=7.4", bearer: bearer)
    let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
    return (object?["key"] as? [String: Any])?["kty"] as? String ?? "none: \(answer.body)"
}

/// Tests that change a server's state (token lifetime, injected failures) get a server of their own.
@Suite("AzureKMS plugin: tokens and retries", .enabled(if: AzureKVFake.enabled), .serialized)
struct AzureKMSTokenTests {
    @Test("tokens are cached, refreshed before they expire, and the refreshed token works")
    func tokenRefresh() async throws {
        let fake = try AzureKVFake(tokenTTL: 20)
        defer { fake.stop() }
        try await withTimeLimit(120, "token refresh") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            let created = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("refresh"), type: .ecP256))
            let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
            #expect(try fake.stats()["tokenGrants"] == 1, "one token for the creation")
            #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
            #expect(try fake.stats()["tokenGrants"] == 1, "the cached token is reused")
            // Refreshed 5 s (a quarter of its lifetime) before it expires; a loaded machine needs the slack.
            try await Task.sleep(for: .seconds(20.2))  // past the token's lifetime: the fake would reject it
            #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
            #expect(try fake.stats()["tokenGrants"] == 2, "a new token after the old one's refresh time")
            #expect(try fake.stats()["challenges"] == 0, "the plugin always sends its token")
        }
    }

    @Test("503 and 429 answers are retried (429 after its Retry-After); too many fail with the HTTP status and Key Vault's code")
    func retries() async throws {
        let fake = try AzureKVFake()
        defer { fake.stop() }
        try await withTimeLimit(120, "retries") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            let created = try await kms.createKey(KMSKeyRequest(name: fake.newKeyName("retry"), type: .ecP256))
            let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
            _ = try fake.curl("POST", "/admin/fail?status=503&count=2")
            var before = try fake.stats()["requests"] ?? 0
            #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
            #expect(try fake.stats()["requests"] == before + 3, "two failures, then the signature")

            _ = try fake.curl("POST", "/admin/fail?status=429&count=1&retry-after=1")
            before = try fake.stats()["requests"] ?? 0
            let start = Date()
            #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: .ecdsaSHA256))
            let elapsed = Date().timeIntervalSince(start)
            #expect(elapsed >= 0.95, "waited \(elapsed) s for Retry-After: 1")
            #expect(try fake.stats()["requests"] == before + 2)

            _ = try fake.curl("POST", "/admin/fail?status=503&count=50")
            let error = await expectKMSError(.unavailable) {
                _ = try await kms.sign(key: created.name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
            }
            #expect(error?.pluginMessage.contains("HTTP 503 ServiceUnavailable") == true, "\(error?.message ?? "")")
            #expect(error?.pluginMessage.contains(created.name) == true)
            _ = try fake.curl("POST", "/admin/fail?status=503&count=0")
        }
    }
}
