import Foundation
import StepCrypto
import Testing

/// One key-file vector: `keys/<key>.<format>.pem`, expected public key `keys/<key>.public.pem`.
struct KeyVector: CustomTestStringConvertible, Sendable {
    var file: String
    var encrypted: Bool
    var keyType: KeyType

    var key: String { String(self.file.prefix { $0 != "." }) }
    var testDescription: String { self.file }

    init(_ file: String, encrypted: Bool, _ keyType: KeyType) {
        self.file = file
        self.encrypted = encrypted
        self.keyType = keyType
    }
}

@Suite("Reading key files")
struct KeyFileVectorTests {
    static let rsa = KeyType.rsa(bits: 2048)

    static let vectors: [KeyVector] = [
        // Unencrypted SEC 1, PKCS #1, PKCS #8.
        KeyVector("ec256.sec1.pem", encrypted: false, .ecdsaP256),
        KeyVector("ec256.sec1-with-params.pem", encrypted: false, .ecdsaP256),
        KeyVector("ec256.sec1-no-public.pem", encrypted: false, .ecdsaP256),
        KeyVector("ec384.sec1.pem", encrypted: false, .ecdsaP384),
        KeyVector("ec521.sec1.pem", encrypted: false, .ecdsaP521),
        KeyVector("ec256.pkcs8.pem", encrypted: false, .ecdsaP256),
        KeyVector("ec384.pkcs8.pem", encrypted: false, .ecdsaP384),
        KeyVector("ec521.pkcs8.pem", encrypted: false, .ecdsaP521),
        KeyVector("rsa2048.pkcs1.pem", encrypted: false, rsa),
        KeyVector("rsa2048.pkcs8.pem", encrypted: false, rsa),
        KeyVector("ed25519.pkcs8.pem", encrypted: false, .ed25519),
        // Legacy encrypted PEM (RFC 1423).
        KeyVector("ec256.legacy-aes128.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.legacy-aes192.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.legacy-aes256.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.legacy-des.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.legacy-des3.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec384.legacy-aes256.pem", encrypted: true, .ecdsaP384),
        KeyVector("ec521.legacy-aes256.pem", encrypted: true, .ecdsaP521),
        KeyVector("rsa2048.legacy-aes128.pem", encrypted: true, rsa),
        KeyVector("rsa2048.legacy-aes256.pem", encrypted: true, rsa),
        KeyVector("rsa2048.legacy-des.pem", encrypted: true, rsa),
        KeyVector("rsa2048.legacy-des3.pem", encrypted: true, rsa),
        // Encrypted PKCS #8 (PBES2).
        KeyVector("ec256.pkcs8-aes128-sha1.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.pkcs8-aes192-sha384.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.pkcs8-aes256-sha256.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.pkcs8-aes256-sha512.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.pkcs8-des3-sha256.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec256.pkcs8-scrypt-aes256.pem", encrypted: true, .ecdsaP256),
        KeyVector("ec384.pkcs8-aes256-sha256.pem", encrypted: true, .ecdsaP384),
        KeyVector("ec521.pkcs8-aes256-sha256.pem", encrypted: true, .ecdsaP521),
        KeyVector("rsa2048.pkcs8-aes256-sha256.pem", encrypted: true, rsa),
        KeyVector("rsa2048.pkcs8-des3-sha1.pem", encrypted: true, rsa),
        KeyVector("ed25519.pkcs8-aes128-sha1.pem", encrypted: true, .ed25519),
        KeyVector("ed25519.pkcs8-aes256-sha256.pem", encrypted: true, .ed25519),
        // OpenSSH.
        KeyVector("sshec256.openssh.pem", encrypted: false, .ecdsaP256),
        KeyVector("sshec384.openssh.pem", encrypted: false, .ecdsaP384),
        KeyVector("sshec521.openssh.pem", encrypted: false, .ecdsaP521),
        KeyVector("sshed25519.openssh.pem", encrypted: false, .ed25519),
        KeyVector("sshrsa2048.openssh.pem", encrypted: false, rsa),
        KeyVector("sshec256.openssh-aes256-ctr.pem", encrypted: true, .ecdsaP256),
        KeyVector("sshec384.openssh-aes256-ctr.pem", encrypted: true, .ecdsaP384),
        KeyVector("sshec521.openssh-aes256-cbc.pem", encrypted: true, .ecdsaP521),
        KeyVector("sshed25519.openssh-aes256-ctr.pem", encrypted: true, .ed25519),
        KeyVector("sshed25519.openssh-aes256-cbc.pem", encrypted: true, .ed25519),
        KeyVector("sshed25519.openssh-aes128-ctr.pem", encrypted: true, .ed25519),
        KeyVector("sshed25519.openssh-aes256-gcm.pem", encrypted: true, .ed25519),
        KeyVector("sshrsa2048.openssh-aes256-ctr.pem", encrypted: true, rsa),
    ]

    static let encryptedVectors = vectors.filter(\.encrypted)

    @Test("Every vector reads with the right password and yields the committed public key", arguments: vectors)
    func readsVector(_ vector: KeyVector) throws {
        let pem = try TestSupport.vectorKey(vector.file)
        let material = try PrivateKeyFile.read(pem: pem, password: vector.encrypted ? TestSupport.vectorPassword : nil)
        let expected = try PublicKeyMaterial(pem: try TestSupport.vectorKey("\(vector.key).public.pem"))
        #expect(material.publicKey == expected)
        #expect(material.keyType == vector.keyType)
        #expect(try PrivateKeyFile.isEncrypted(pem: pem) == vector.encrypted)

        // The same text as bytes reads the same key; a password is ignored for unencrypted keys.
        if !vector.encrypted {
            let fromData = try PrivateKeyFile.read(pem: Data(pem.utf8), password: TestSupport.vectorPassword)
            #expect(fromData.publicKey == expected)
        }
    }

    @Test("Every encrypted vector refuses a wrong password with wrong-password", arguments: encryptedVectors)
    func wrongPassword(_ vector: KeyVector) throws {
        let pem = try TestSupport.vectorKey(vector.file)
        // OpenSSH keys cost a bcrypt_pbkdf per attempt (slow in debug builds): one attempt each.
        let passwords = vector.file.contains(".openssh") ? ["vector-passwore"] : ["vector-passwore", "x", "vector-password-and-more", ""]
        for password in passwords {
            let error = #expect(throws: StepCryptoError.self) {
                try PrivateKeyFile.read(pem: pem, password: Data(password.utf8))
            }
            #expect(error?.code == .wrongPassword, "\(vector.file) with \(password): \(String(describing: error))")
        }
    }

    @Test("Every encrypted vector without a password gives password-required", arguments: encryptedVectors)
    func passwordRequired(_ vector: KeyVector) throws {
        let pem = try TestSupport.vectorKey(vector.file)
        #expect(throws: StepCryptoError(code: .passwordRequired)) {
            try PrivateKeyFile.read(pem: pem, password: nil)
        }
    }

    @Test("Non-PBES2 encrypted PKCS #8 is rejected as unsupported, naming the scheme")
    func pkcs12PBEUnsupported() throws {
        let pem = try TestSupport.vectorKey("ec256.pkcs8-pbe-sha1-3des.unsupported.pem")
        let error = #expect(throws: StepCryptoError.self) {
            try PrivateKeyFile.read(pem: pem, password: TestSupport.vectorPassword)
        }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(error?.reason.contains("PKCS #12") == true)
    }

    @Test("Unsupported algorithms and sizes are rejected, naming them", arguments: [
        ("secp256k1.sec1.unsupported.pem", "secp256k1"),
        ("ed448.pkcs8.unsupported.pem", "Ed448"),
        ("x25519.pkcs8.unsupported.pem", "X25519"),
        ("rsa1024.pkcs8.unsupported.pem", "RSA 1024"),
        ("dsa.pkcs8.unsupported.pem", "DSA"),
        ("dsa.traditional.unsupported.pem", "DSA"),
    ])
    func unsupportedAlgorithms(file: String, name: String) throws {
        let error = #expect(throws: StepCryptoError.self) {
            try PrivateKeyFile.read(pem: try TestSupport.vectorKey(file), password: nil)
        }
        #expect(error?.code == .unsupportedAlgorithm)
        #expect(error?.reason.contains(name) == true, "\(String(describing: error))")
    }

    @Test("authorized_keys lines match ssh-keygen's", arguments: ["sshec256", "sshec384", "sshec521", "sshed25519", "sshrsa2048"])
    func authorizedKeys(_ key: String) throws {
        let material = try PrivateKeyFile.read(pem: try TestSupport.vectorKey("\(key).openssh.pem"), password: nil)
        let line = try TestSupport.vectorKey("\(key).pub").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(material.publicKey.openSSHAuthorizedKey(comment: "vector \(key)") == line)
    }

    @Test("Other PEM blocks around the key are skipped")
    func otherBlocksSkipped() throws {
        let certificate = String(decoding: try TestSupport.fixture("steppath/certs/root_ca.crt"), as: UTF8.self)
        let key = try TestSupport.vectorKey("ed25519.pkcs8.pem")
        let material = try PrivateKeyFile.read(pem: "leading text\n" + certificate + key + certificate, password: nil)
        #expect(material.publicKey == (try PublicKeyMaterial(pem: try TestSupport.vectorKey("ed25519.public.pem"))))
    }

    @Test("A file with no private key block, or an unknown block type, is malformed")
    func noKeyBlock() throws {
        let certificate = String(decoding: try TestSupport.fixture("steppath/certs/root_ca.crt"), as: UTF8.self)
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try PrivateKeyFile.read(pem: certificate, password: nil)
        }
        let unknown = "-----BEGIN FOO PRIVATE KEY-----\nMAA=\n-----END FOO PRIVATE KEY-----\n"
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try PrivateKeyFile.read(pem: unknown, password: nil)
        }
    }
}
