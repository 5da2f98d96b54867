import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
@testable import Host

/// The key-management plugin contract (stepca_kms_v1 in stepca_plugin.h), checked through the
/// host's ``KeyManagerPlugin`` against every backend in ``KMSBackend/all``. Every signature is
/// verified with swift-crypto against the public key the plugin exported.
@Suite("KMS conformance")
struct KMSConformanceTests {
    @Test("every backend the machine should have is in the list")
    func backendsArePresent() {
        if SoftHSM.isAvailable {
            #expect(KMSBackend.all.contains { $0.label.contains("SoftHSM2") })
        }
        if TestEnvironment.isCI {
            #expect(KMSBackend.all.count >= 2, "in CI the SoftHSM2 backends must run")
        }
    }

    @Test("existing keys: public key export and signatures that verify", arguments: KMSBackend.all)
    func existingKeys(backend: KMSBackend) async throws {
        try await backend.withKeyManager { kms in
            let keys = try backend.existingKeys()
            #expect(!keys.isEmpty)
            for key in keys {
                let spki = try await kms.publicKey(name: key.name)
                let verifier = try KMSVerifyingKey(spki: spki)
                #expect(try await kms.publicKey(name: key.name) == spki, "the export is stable")
                for algorithm in key.algorithms.isEmpty ? verifier.algorithms : key.algorithms {
                    #expect(try await signAndVerify(kms, key: key.name, with: verifier, algorithm: algorithm),
                            "\(key.name) \(verifier.kind) \(algorithm)")
                }
            }
        }
    }

    @Test("created keys sign with every algorithm of their type", arguments: KMSBackend.all)
    func createdKeys(backend: KMSBackend) async throws {
        guard let newKeyName = backend.newKeyName else { return }
        try await backend.withKeyManager { kms in
            for spec in backend.creatable {
                let name = newKeyName(uniqueKeySuffix())
                let created = try await kms.createKey(KMSKeyRequest(name: name, type: spec.type, bits: spec.bits))
                #expect(!created.name.isEmpty)
                let verifier = try KMSVerifyingKey(spki: created.publicKeyDER)
                #expect(verifier.kind == spec.kind, "created \(verifier.kind) for \(spec)")
                #expect(try await kms.publicKey(name: created.name) == created.publicKeyDER,
                        "the public key read back equals the one reported at creation")
                for algorithm in spec.algorithms {
                    #expect(try await signAndVerify(kms, key: created.name, with: verifier, algorithm: algorithm),
                            "\(spec) \(algorithm)")
                }
                // A signature must not verify for another message or under another key.
                let message = randomBytes(64)
                let algorithm = spec.algorithms[0]
                let signature = try await kms.sign(key: created.name, algorithm: algorithm, digest: kmsDigest(message, for: algorithm))
                #expect(!verifier.verifies(signature, message: message + [0], algorithm: algorithm))

                if backend.refusesTakenNames {
                    await expectKMSError(.conflict) {
                        _ = try await kms.createKey(KMSKeyRequest(name: created.name, type: spec.type, bits: spec.bits))
                    }
                }
            }
        }
    }

    @Test("a digest of the wrong length is an invalid argument", arguments: KMSBackend.all)
    func wrongDigestLength(backend: KMSBackend) async throws {
        try await backend.withKeyManager { kms in
            let key = try #require(try backend.existingKeys().first)
            let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: key.name))
            let algorithm = (key.algorithms.isEmpty ? verifier.algorithms : key.algorithms)[0]
            for length in [0, 20, 31, 33, 47] where length != algorithm.digestLength {
                let error = await expectKMSError(.invalidArgument) {
                    _ = try await kms.sign(key: key.name, algorithm: algorithm, digest: randomBytes(length))
                }
                #expect(error?.message.hasPrefix("\(kms.name) plugin: ") == true)
            }
        }
    }

    @Test("an unknown key is not found, and the message names it", arguments: KMSBackend.all)
    func unknownKey(backend: KMSBackend) async throws {
        try await backend.withKeyManager { kms in
            let name = backend.unknownKeyName
            let signError = await expectKMSError(.notFound) {
                _ = try await kms.sign(key: name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
            }
            #expect(signError?.pluginMessage.contains(name) == true, "\(signError?.message ?? "")")
            let exportError = await expectKMSError(.notFound) { _ = try await kms.publicKey(name: name) }
            #expect(exportError?.pluginMessage.contains(name) == true, "\(exportError?.message ?? "")")
        }
    }

    @Test("certificates stored under a key name read back unchanged", arguments: KMSBackend.all.filter(\.storesCertificates))
    func certificateRoundTrip(backend: KMSBackend) async throws {
        let newKeyName = try #require(backend.newKeyName)
        try await backend.withKeyManager { kms in
            #expect(kms.supportsCertificates)
            let name = newKeyName(uniqueKeySuffix())
            let der = try selfSignedCertificate(commonName: "KMS conformance \(name)")
            try await kms.storeCertificate(name: name, der: der)
            #expect(try await kms.loadCertificate(name: name) == der)
            await expectKMSError(.notFound) { _ = try await kms.loadCertificate(name: newKeyName(uniqueKeySuffix())) }
        }
    }

    @Test("64 signatures from 16 concurrent tasks all verify", arguments: KMSBackend.all)
    func concurrentSigning(backend: KMSBackend) async throws {
        try await backend.withKeyManager { kms in
            let key = try #require(try backend.existingKeys().first)
            let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: key.name))
            let algorithm = (key.algorithms.isEmpty ? verifier.algorithms : key.algorithms)[0]
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var valid = 0
                        for _ in 0..<4 {
                            if try await signAndVerify(kms, key: key.name, with: verifier, algorithm: algorithm) { valid += 1 }
                        }
                        return valid
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(results == 64)
        }
    }

    @Test("a closed key manager refuses calls; a reopened one finds the same keys", arguments: KMSBackend.all)
    func closeAndReopen(backend: KMSBackend) async throws {
        let key = try #require(try backend.existingKeys().first)
        let first = try await backend.open()
        let spki = try await first.publicKey(name: key.name)
        await first.close()
        await first.close()
        await expectKMSError(.unavailable) { _ = try await first.publicKey(name: key.name) }
        await expectKMSError(.unavailable) {
            _ = try await first.sign(key: key.name, algorithm: .ecdsaSHA256, digest: randomBytes(32))
        }
        try await backend.withKeyManager { kms in
            #expect(try await kms.publicKey(name: key.name) == spki)
            let verifier = try KMSVerifyingKey(spki: spki)
            let algorithm = (key.algorithms.isEmpty ? verifier.algorithms : key.algorithms)[0]
            #expect(try await signAndVerify(kms, key: key.name, with: verifier, algorithm: algorithm))
        }
    }
}

/// Expects `body` to throw a ``KMSError`` with `code`; returns it for further checks.
@discardableResult
func expectKMSError(_ code: KMSError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () async throws -> Void) async -> KMSError? {
    let error = await #expect(throws: KMSError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.code == code, "got \(error.map { "\($0.code): \($0.message)" } ?? "no error")", sourceLocation: sourceLocation)
    return error
}

/// A self-signed P-256 certificate in DER.
func selfSignedCertificate(commonName: String) throws -> [UInt8] {
    let key = P256.Signing.PrivateKey()
    let name = try DistinguishedName { CommonName(commonName) }
    let now = Date()
    let certificate = try Certificate(
        version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
        notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
        issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
        extensions: Certificate.Extensions(), issuerPrivateKey: .init(key))
    var serializer = DER.Serializer()
    try serializer.serialize(certificate)
    return serializer.serializedBytes
}
