import Foundation
import PluginABI
import Testing

/// The yubikey KMS plugin end to end: plugin → libpcsclite (dlopen) → pcscd → vpcd → virtual
/// YubiKey PIV cards, with openssl verifying every signature and yubico-piv-tool checking the
/// card and exchanging keys with the plugin.
@Suite("YubiKey KMS plugin", .serialized, .enabled(if: VirtualYubiKeys.enabled))
struct YubiKeyPluginTests {
    struct KeyCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let slot: String
        let keyType: UInt32
        let signatures: [(algorithm: UInt32, hash: String, options: [String])]
    }

    static let keyCases: [KeyCase] = [
        KeyCase(testDescription: "ECCP256", slot: "9a", keyType: STEPCA_KEY_EC_P256,
                signatures: [(STEPCA_SIG_ECDSA_SHA256, "sha256", [])]),
        KeyCase(testDescription: "ECCP384", slot: "9d", keyType: STEPCA_KEY_EC_P384,
                signatures: [(STEPCA_SIG_ECDSA_SHA384, "sha384", [])]),
        KeyCase(testDescription: "RSA2048", slot: "9c", keyType: STEPCA_KEY_RSA,
                signatures: [(STEPCA_SIG_RSA_PKCS1_SHA256, "sha256", []),
                             (STEPCA_SIG_RSA_PKCS1_SHA384, "sha384", []),
                             (STEPCA_SIG_RSA_PKCS1_SHA512, "sha512", []),
                             (STEPCA_SIG_RSA_PSS_SHA256, "sha256", ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"]),
                             (STEPCA_SIG_RSA_PSS_SHA384, "sha384", ["rsa_padding_mode:pss", "rsa_pss_saltlen:48"])]),
    ]

    @Test("generate, read the public key, sign and verify with openssl", arguments: keyCases)
    func generateAndSign(_ keyCase: KeyCase) throws {
        try VirtualYubiKeys.reset()
        try withScratch { scratch in
            let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))
            let name = "yubikey:slot-id=\(keyCase.slot)"
            let created = try kms.createKey(name, type: keyCase.keyType)
            #expect(created.name == name)
            #expect(try kms.publicKey(name) == created.publicKey)
            let data = scratch.file("data")
            try Data("signed through the yubikey plugin".utf8).write(to: URL(fileURLWithPath: data))
            for signature in keyCase.signatures {
                let digest = try OpenSSLCheck.digest(signature.hash, file: data)
                let value = try kms.sign(name, algorithm: signature.algorithm, digest: digest)
                let verified = try OpenSSLCheck.verify(publicKeyDER: created.publicKey, hash: signature.hash, file: data,
                                                       signature: value, options: signature.options, in: scratch)
                #expect(verified.status == 0 && verified.output.contains("Verified OK"),
                        "algorithm \(signature.algorithm): \(verified.output)")
                // A signature over another digest must not verify: the check can fail.
                var other = digest
                other[0] ^= 0xFF
                let wrong = try kms.sign(name, algorithm: signature.algorithm, digest: other)
                let refused = try OpenSSLCheck.verify(publicKeyDER: created.publicKey, hash: signature.hash, file: data,
                                                      signature: wrong, options: signature.options, in: scratch)
                #expect(refused.status != 0)
            }
        }
    }

    @Test("store and load a certificate (chained APDUs both ways); yubico-piv-tool reads the same certificate")
    func certificates() throws {
        try VirtualYubiKeys.reset()
        try withScratch { scratch in
            let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))
            for slot in ["82", "95", "9c"] {
                let name = "yubikey:slot-id=\(slot)"
                let key = try kms.createKey(name, type: slot == "9c" ? STEPCA_KEY_RSA : STEPCA_KEY_EC_P256)
                let certificate = try OpenSSLCheck.certificate(for: key.publicKey, subject: "/CN=slot-\(slot)", in: scratch)
                #expect(certificate.count > 255, "the certificate should need chained APDUs")
                try kms.storeCertificate(name, der: certificate)
                #expect(try kms.loadCertificate(name) == certificate)
                let read = try VirtualYubiKeys.pivTool(["-a", "read-certificate", "-s", slot, "-K", "DER", "-o", scratch.file("read.der")])
                #expect(read.status == 0, "\(read.output)")
                #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("read.der")))) == certificate)
            }
            let message = expectYubiKeyError(STEPCA_E_NOT_FOUND) { _ = try kms.loadCertificate("yubikey:slot-id=9e") }
            #expect(message.contains("slot 9e holds no certificate"), "\(message)")
            #expect(message.contains("yubikey:slot-id=9e") && message.contains("serial=\(VirtualYubiKeys.serial)"), "\(message)")
            let notCertificate = expectYubiKeyError(STEPCA_E_INVALID_ARG) { try kms.storeCertificate("yubikey:slot-id=9a", der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
            #expect(notCertificate.contains("not a DER certificate"), "\(notCertificate)")
        }
    }

    @Test("a wrong PIN reports the remaining tries; the right PIN resets the counter")
    func wrongPIN() throws {
        try VirtualYubiKeys.reset()
        let good = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))
        _ = try good.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256)
        let digest = [UInt8](repeating: 7, count: 32)
        let bad = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(pin: "654321")))
        let first = expectYubiKeyError(STEPCA_E_AUTH) { _ = try bad.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: digest) }
        #expect(first.contains("wrong PIN, 2 tries left"), "\(first)")
        #expect(first.contains("yubikey:slot-id=9a on yubikey:serial=\(VirtualYubiKeys.serial)"), "\(first)")
        #expect(!first.contains("654321") && !first.contains(VirtualYubiKeys.defaultManagementKey), "\(first)")
        let second = expectYubiKeyError(STEPCA_E_AUTH) { _ = try bad.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: digest) }
        #expect(second.contains("wrong PIN, 1 try left"), "\(second)")
        let status = try VirtualYubiKeys.pivTool(["-a", "status"])
        #expect(status.output.contains("PIN tries left:\t1"), "\(status.output)")
        _ = try good.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: digest)
        let after = try VirtualYubiKeys.pivTool(["-a", "status"])
        #expect(after.output.contains("PIN tries left:\t3"), "\(after.output)")

        // Without any PIN the card refuses, and the message says what to configure.
        let noPIN = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:serial=\(VirtualYubiKeys.serial)"))
        let missing = expectYubiKeyError(STEPCA_E_AUTH) { _ = try noPIN.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: digest) }
        #expect(missing.contains("pin-value or pin-source"), "\(missing)")
    }

    @Test("the PIN can come from a file (pin-source) or from the kms object's pin")
    func pinSources() throws {
        try VirtualYubiKeys.reset()
        try withScratch { scratch in
            let pinFile = scratch.file("pin")
            try Data("\(VirtualYubiKeys.pin)\n".utf8).write(to: URL(fileURLWithPath: pinFile))
            let fromFile = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:serial=\(VirtualYubiKeys.serial)?pin-source=\(pinFile)"))
            _ = try fromFile.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256)
            _ = try fromFile.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: [UInt8](repeating: 1, count: 32))
            let fromObject = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:serial=\(VirtualYubiKeys.serial)", extra: ["pin": VirtualYubiKeys.pin]))
            _ = try fromObject.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: [UInt8](repeating: 2, count: 32))
            let missingFile = expectYubiKeyError(STEPCA_E_INVALID_ARG) {
                _ = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:serial=1?pin-source=\(scratch.file("absent"))"))
            }
            #expect(missingFile.contains("cannot read pin-source"), "\(missingFile)")
        }
    }

    @Test("a wrong management key is an authentication error that does not show the key")
    func wrongManagementKey() throws {
        try VirtualYubiKeys.reset()
        let wrongKey = "0102030405060708010203040506070801020304050607ff"
        for serial in [VirtualYubiKeys.serial, VirtualYubiKeys.serial2] {
            let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: serial, managementKey: wrongKey)))
            let message = expectYubiKeyError(STEPCA_E_AUTH) { _ = try kms.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256) }
            #expect(message.contains("wrong management key"), "\(message)")
            #expect(message.contains(serial == VirtualYubiKeys.serial ? "3DES" : "AES-192"), "\(message)")
            // (the PIN 123456 is part of the serial 12345678: look for the attribute instead)
            #expect(!message.contains(wrongKey) && !message.contains("pin-value"), "\(message)")
            let store = expectYubiKeyError(STEPCA_E_AUTH) { try kms.storeCertificate("yubikey:slot-id=9a", der: Self.someCertificate) }
            #expect(store.contains("wrong management key"), "\(store)")
        }
        // A key of the wrong size for the card's algorithm is refused before any attempt.
        let short = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2, managementKey: "00112233445566778899aabbccddeeff")))
        let size = expectYubiKeyError(STEPCA_E_INVALID_ARG) { _ = try short.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256) }
        #expect(size.contains("AES-192") && size.contains("24 bytes"), "\(size)")
    }

    @Test("AES-128 and AES-256 management keys are picked from the card's metadata", arguments: [
        ("aes128", "000102030405060708090a0b0c0d0e0f"),
        ("aes256", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
    ])
    func aesManagementKeys(_ algorithm: String, _ key: String) throws {
        try VirtualYubiKeys.reset(managementKeyAlgorithm2: algorithm, managementKey2: key)
        let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2, managementKey: key)))
        let created = try kms.createKey("yubikey:slot-id=9e", type: STEPCA_KEY_EC_P256)
        #expect(try kms.publicKey("yubikey:slot-id=9e") == created.publicKey)
        let wrong = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2,
            managementKey: String(key.dropLast(2)) + "ff")))
        let message = expectYubiKeyError(STEPCA_E_AUTH) { _ = try wrong.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256) }
        #expect(message.contains(algorithm == "aes128" ? "AES-128" : "AES-256"), "\(message)")
    }

    @Test("two cards: the serial selects the card; an unknown serial lists the readers seen")
    func serialSelection() throws {
        try VirtualYubiKeys.reset()
        let second = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2)))
        let created = try second.createKey("yubikey:slot-id=9c", type: STEPCA_KEY_EC_P384)
        let first = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial)))
        let empty = expectYubiKeyError(STEPCA_E_NOT_FOUND) { _ = try first.publicKey("yubikey:slot-id=9c") }
        #expect(empty.contains("slot 9c holds no key"), "\(empty)")
        #expect(try second.publicKey("yubikey:slot-id=9c") == created.publicKey)
        // yubico-piv-tool sees the key on the second reader only.
        let status2 = try VirtualYubiKeys.pivTool(["-a", "status"], reader: VirtualYubiKeys.reader2)
        #expect(status2.output.contains("Serial Number:\t\(VirtualYubiKeys.serial2)"), "\(status2.output)")

        // A reader filter alone picks the second card too.
        let byReader = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:reader=vpcd%2000%2001?pin-value=\(VirtualYubiKeys.pin)"))
        #expect(try byReader.publicKey("yubikey:slot-id=9c") == created.publicKey)

        let unknown = expectYubiKeyError(STEPCA_E_NOT_FOUND) {
            _ = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: 999)))
        }
        #expect(unknown.contains("no YubiKey with serial 999"), "\(unknown)")
        #expect(unknown.contains("\"\(VirtualYubiKeys.reader)\" (serial \(VirtualYubiKeys.serial))"), "\(unknown)")
        #expect(unknown.contains("\"\(VirtualYubiKeys.reader2)\" (serial \(VirtualYubiKeys.serial2))"), "\(unknown)")
        #expect(unknown.hasPrefix("yubikey:serial=999"), "\(unknown)")
        #expect(!unknown.contains("pin-value") && !unknown.contains("management-key") && !unknown.contains(VirtualYubiKeys.defaultManagementKey), "\(unknown)")
        let noReader = expectYubiKeyError(STEPCA_E_NOT_FOUND) {
            _ = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:reader=nosuchreader"))
        }
        #expect(noReader.contains("no reader name contains \"nosuchreader\"") && noReader.contains(VirtualYubiKeys.reader), "\(noReader)")
    }

    @Test("empty slots, unsupported algorithms and bad key names are precise errors")
    func errors() throws {
        try VirtualYubiKeys.reset()
        let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))
        let empty = expectYubiKeyError(STEPCA_E_NOT_FOUND) {
            _ = try kms.sign("yubikey:slot-id=9d", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: [UInt8](repeating: 0, count: 32))
        }
        #expect(empty.contains("slot 9d holds no key") && empty.contains("yubikey:slot-id=9d on yubikey:"), "\(empty)")
        let ed25519 = expectYubiKeyError(STEPCA_E_UNSUPPORTED) { _ = try kms.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_ED25519) }
        #expect(ed25519.contains("ECCP256, ECCP384 and RSA2048"), "\(ed25519)")
        let rsa4096 = expectYubiKeyError(STEPCA_E_UNSUPPORTED) { _ = try kms.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_RSA, bits: 4096) }
        #expect(rsa4096.contains("RSA-4096"), "\(rsa4096)")
        _ = try kms.createKey("yubikey:slot-id=9c", type: STEPCA_KEY_RSA)
        let conflict = expectYubiKeyError(STEPCA_E_CONFLICT) { _ = try kms.createKey("yubikey:slot-id=9c", type: STEPCA_KEY_EC_P256) }
        #expect(conflict.contains("slot 9c already holds a key"), "\(conflict)")
        let mismatch = expectYubiKeyError(STEPCA_E_UNSUPPORTED) {
            _ = try kms.sign("yubikey:slot-id=9c", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: [UInt8](repeating: 0, count: 32))
        }
        #expect(mismatch.contains("RSA2048 key") && mismatch.contains("ECDSA"), "\(mismatch)")
        let length = expectYubiKeyError(STEPCA_E_INVALID_ARG) {
            _ = try kms.sign("yubikey:slot-id=9c", algorithm: STEPCA_SIG_RSA_PKCS1_SHA256, digest: [UInt8](repeating: 0, count: 20))
        }
        #expect(length.contains("32 bytes, got 20"), "\(length)")
        let badSlot = expectYubiKeyError(STEPCA_E_INVALID_ARG) { _ = try kms.publicKey("yubikey:slot-id=9b") }
        #expect(badSlot.contains("not a PIV key slot"), "\(badSlot)")
        let notURI = expectYubiKeyError(STEPCA_E_INVALID_ARG) { _ = try kms.publicKey("pkcs11:id=01") }
        #expect(notURI.contains("not a yubikey URI"), "\(notURI)")
        let badKey = expectYubiKeyError(STEPCA_E_INVALID_ARG) {
            _ = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: "yubikey:management-key=xyz?pin-value=\(VirtualYubiKeys.pin)"))
        }
        #expect(badKey.contains("management key must be") && !badKey.contains("xyz") && !badKey.contains("pin-value"), "\(badKey)")
    }

    @Test("a key made by the plugin signs with yubico-piv-tool, and a key made by yubico-piv-tool signs with the plugin")
    func interoperability() throws {
        try VirtualYubiKeys.reset()
        try withScratch { scratch in
            let data = scratch.file("data")
            try Data("interoperability".utf8).write(to: URL(fileURLWithPath: data))
            let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))

            // plugin → yubico-piv-tool
            for (slot, type, algorithm) in [("9a", STEPCA_KEY_EC_P256, "ECCP256"), ("9c", STEPCA_KEY_RSA, "RSA2048")] {
                let created = try kms.createKey("yubikey:slot-id=\(slot)", type: type)
                let signed = try VirtualYubiKeys.pivTool(["-a", "verify-pin", "-P", VirtualYubiKeys.pin, "--sign", "-s", slot, "-A", algorithm,
                                                          "-H", "SHA256", "-i", data, "-o", scratch.file("tool.sig")])
                #expect(signed.status == 0, "\(signed.output)")
                let signature = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("tool.sig"))))
                let verified = try OpenSSLCheck.verify(publicKeyDER: created.publicKey, hash: "sha256", file: data, signature: signature, in: scratch)
                #expect(verified.output.contains("Verified OK"), "\(algorithm): \(verified.output)")
            }

            // yubico-piv-tool → plugin
            for (slot, algorithm, sig, hash) in [("9e", "ECCP256", STEPCA_SIG_ECDSA_SHA256, "sha256"), ("9d", "ECCP384", STEPCA_SIG_ECDSA_SHA384, "sha384"),
                                                 ("85", "RSA2048", STEPCA_SIG_RSA_PSS_SHA256, "sha256")] {
                let generated = try VirtualYubiKeys.pivTool(["-a", "generate", "-s", slot, "-A", algorithm, "-o", scratch.file("gen.pem")])
                #expect(generated.status == 0, "\(generated.output)")
                let toolKey = try OpenSSLCheck.publicKeyDER(pem: scratch.file("gen.pem"))
                #expect(try kms.publicKey("yubikey:slot-id=\(slot)") == toolKey)
                let options = sig == STEPCA_SIG_RSA_PSS_SHA256 ? ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"] : []
                let signature = try kms.sign("yubikey:slot-id=\(slot)", algorithm: sig, digest: OpenSSLCheck.digest(hash, file: data))
                let verified = try OpenSSLCheck.verify(publicKeyDER: toolKey, hash: hash, file: data, signature: signature, options: options, in: scratch)
                #expect(verified.output.contains("Verified OK"), "\(algorithm): \(verified.output)")
            }
        }
    }

    @Test("concurrent signatures through one handle are serialised on the card and all verify")
    func concurrentSigning() throws {
        try VirtualYubiKeys.reset()
        try withScratch { scratch in
            let kms = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri()))
            let key = try kms.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256)
            let data = scratch.file("data")
            try Data("concurrent".utf8).write(to: URL(fileURLWithPath: data))
            let digest = try OpenSSLCheck.digest("sha256", file: data)
            final class Results: @unchecked Sendable {
                let lock = NSLock()
                var signatures: [[UInt8]] = []
                var errors: [String] = []
            }
            let results = Results()
            DispatchQueue.concurrentPerform(iterations: 16) { _ in
                do {
                    let signature = try kms.sign("yubikey:slot-id=9a", algorithm: STEPCA_SIG_ECDSA_SHA256, digest: digest)
                    results.lock.withLock { results.signatures.append(signature) }
                } catch {
                    results.lock.withLock { results.errors.append("\(error)") }
                }
            }
            #expect(results.errors.isEmpty, "\(results.errors)")
            #expect(results.signatures.count == 16)
            for signature in results.signatures {
                let verified = try OpenSSLCheck.verify(publicKeyDER: key.publicKey, hash: "sha256", file: data, signature: signature, in: scratch)
                #expect(verified.output.contains("Verified OK"), "\(verified.output)")
            }
        }
    }

    @Test("the virtual card behaves like a YubiKey for yubico-piv-tool (the service script's smoke test)")
    func cardCrossCheck() throws {
        try VirtualYubiKeys.reset()
        let smoke = try run("/bin/bash", [VirtualYubiKeys.script, "smoke"])
        #expect(smoke.status == 0 && smoke.output.contains("piv-vcard smoke: OK"), "\(smoke.output)")
    }

    @Test("the KMS conformance suite on the second card (AES-192 management key)")
    func conformance() async throws {
        try VirtualYubiKeys.reset()
        let setup = try YubiKeyKMSClient(config: VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2)))
        _ = try setup.createKey("yubikey:slot-id=9a", type: STEPCA_KEY_EC_P256)
        _ = try setup.createKey("yubikey:slot-id=9c", type: STEPCA_KEY_RSA)
        setup.close()
        let suite = KMSConformanceTests()
        let backend = KMSBackend.yubikey()
        try await suite.existingKeys(backend: backend)
        try await suite.createdKeys(backend: backend)
        try await suite.wrongDigestLength(backend: backend)
        try await suite.unknownKey(backend: backend)
        try await suite.certificateRoundTrip(backend: backend)
        try await suite.concurrentSigning(backend: backend)
        try await suite.closeAndReopen(backend: backend)
    }

    /// A small valid DER certificate (any key) for calls that must fail before storing it.
    static let someCertificate: [UInt8] = {
        let scratch = try! ScratchDirectory("yubikey-cert")
        defer { scratch.remove() }
        let openssl = TestEnvironment.tool("openssl") ?? "/usr/bin/openssl"
        _ = try? run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", scratch.file("k"),
                               "-subj", "/CN=any", "-days", "1", "-outform", "DER", "-out", scratch.file("c.der")])
        return (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("c.der"))))) ?? []
    }()

    private func withScratch(_ body: (ScratchDirectory) throws -> Void) throws {
        let scratch = try ScratchDirectory("yubikey")
        defer { scratch.remove() }
        try body(scratch)
    }
}
