import Foundation
import StepCrypto
import Testing

@Suite("Writing key files")
struct KeyFileWriterTests {
    static let keyTypes: [KeyType] = [.ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa(bits: 2048), .ed25519]
    static let password = Data("writer-password".utf8)
    static let wrongPassword = Data("writer-passwore".utf8)

    /// Keys are generated once per type: RSA generation is slow in debug builds.
    static let keys: [KeyType: PrivateKeyMaterial] = {
        var keys: [KeyType: PrivateKeyMaterial] = [:]
        for type in keyTypes {
            keys[type] = try? PrivateKeyMaterial.generate(type)
        }
        return keys
    }()

    static func key(_ type: KeyType) throws -> PrivateKeyMaterial {
        try #require(Self.keys[type])
    }

    @Test("Unencrypted PKCS #8 round-trips", arguments: keyTypes)
    func pkcs8(_ type: KeyType) throws {
        let key = try Self.key(type)
        let pem = PrivateKeyFile.pkcs8PEM(key)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(try !PrivateKeyFile.isEncrypted(pem: pem))
        #expect(try PrivateKeyFile.read(pem: pem, password: nil).publicKey == key.publicKey)
    }

    @Test("Traditional PEM round-trips", arguments: keyTypes)
    func traditional(_ type: KeyType) throws {
        let key = try Self.key(type)
        let pem = PrivateKeyFile.traditionalPEM(key)
        let expectedType: String
        switch type {
        case .rsa: expectedType = "RSA PRIVATE KEY"
        case .ed25519: expectedType = "PRIVATE KEY"
        default: expectedType = "EC PRIVATE KEY"
        }
        #expect(pem.hasPrefix("-----BEGIN \(expectedType)-----\n"))
        #expect(try PrivateKeyFile.read(pem: pem, password: nil).publicKey == key.publicKey)
    }

    @Test("Legacy encrypted PEM round-trips in step's form; a wrong password fails", arguments: keyTypes.filter { $0 != .ed25519 })
    func legacyEncrypted(_ type: KeyType) throws {
        let key = try Self.key(type)
        let pem = try PrivateKeyFile.legacyEncryptedPEM(key, password: Self.password)
        let lines = pem.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == (type == .rsa(bits: 2048) ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----"))
        #expect(lines[1] == "Proc-Type: 4,ENCRYPTED")
        #expect(lines[2].hasPrefix("DEK-Info: AES-256-CBC,"))
        #expect(lines[2].dropFirst("DEK-Info: AES-256-CBC,".count).allSatisfy { "0123456789abcdef".contains($0) })
        #expect(lines[2].count == "DEK-Info: AES-256-CBC,".count + 32)
        #expect(lines[3] == "")
        #expect(lines.dropFirst(4).allSatisfy { $0.count <= 64 })

        #expect(try PrivateKeyFile.isEncrypted(pem: pem))
        #expect(try PrivateKeyFile.read(pem: pem, password: Self.password).publicKey == key.publicKey)
        #expect(throws: StepCryptoError(code: .wrongPassword)) {
            try PrivateKeyFile.read(pem: pem, password: Self.wrongPassword)
        }
        #expect(throws: StepCryptoError(code: .passwordRequired)) {
            try PrivateKeyFile.read(pem: pem, password: nil)
        }
    }

    @Test("Legacy encryption refuses Ed25519")
    func legacyEd25519() throws {
        #expect(throws: StepCryptoError(code: .unsupportedAlgorithm)) {
            try PrivateKeyFile.legacyEncryptedPEM(try Self.key(.ed25519), password: Self.password)
        }
    }

    @Test("Encrypted PKCS #8 round-trips for every key type; a wrong password fails", arguments: keyTypes)
    func encryptedPKCS8(_ type: KeyType) throws {
        let key = try Self.key(type)
        let pem = try PrivateKeyFile.encryptedPKCS8PEM(key, password: Self.password, iterations: 2048)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(try PrivateKeyFile.read(pem: pem, password: Self.password).publicKey == key.publicKey)
        #expect(throws: StepCryptoError(code: .wrongPassword)) {
            try PrivateKeyFile.read(pem: pem, password: Self.wrongPassword)
        }
    }

    @Test("step's encodings: legacy PEM for ECDSA and RSA, PKCS #8 with 600000 PBKDF2 iterations for Ed25519")
    func stepEncodings() throws {
        let ec = try PrivateKeyFile.stepEncryptedPEM(try Self.key(.ecdsaP256), password: Self.password)
        #expect(ec.contains("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,"))
        let ed = try PrivateKeyFile.stepEncryptedPEM(try Self.key(.ed25519), password: Self.password)
        #expect(ed.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(try PrivateKeyFile.read(pem: ed, password: Self.password).publicKey == (try Self.key(.ed25519)).publicKey)

        // The PBES2 parameters: PBKDF2, 16-byte salt, 600000 iterations, HMAC-SHA256, AES-256-CBC.
        let der = try #require(try PEMBlock.parseAll(ed).first?.bytes)
        let hex = der.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex.contains("06092a864886f70d01050d"))  // id-PBES2
        #expect(hex.contains("06092a864886f70d01050c"))  // id-PBKDF2
        #expect(hex.contains("0410"))  // OCTET STRING of 16 bytes (salt, IV)
        #expect(hex.contains("02030927c0"))  // INTEGER 600000
        #expect(hex.contains("06082a864886f70d0209"))  // hmacWithSHA256
        #expect(hex.contains("060960864801650304012a"))  // aes256-CBC
    }

    @Test("Iteration counts are bounded")
    func iterationBounds() throws {
        #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
            try PrivateKeyFile.encryptedPKCS8PEM(try Self.key(.ed25519), password: Self.password, iterations: 0)
        }
        #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
            try PrivateKeyFile.encryptedPKCS8PEM(try Self.key(.ed25519), password: Self.password, iterations: 10_000_001)
        }
    }

    @Test("OpenSSL reads what we write", arguments: [KeyType.ecdsaP256, .rsa(bits: 2048), .ed25519])
    func opensslReadsOurFiles(_ type: KeyType) throws {
        let available = (try? TestSupport.run(["openssl", "version"]).status) == 0
        guard try TestSupport.toolAvailable(available, "the openssl command is not available") else { return }
        let key = try Self.key(type)
        let expected = key.publicKey.pemRepresentation
        var files = [
            try PrivateKeyFile.encryptedPKCS8PEM(key, password: Self.password, iterations: 2048),
            PrivateKeyFile.pkcs8PEM(key),
            PrivateKeyFile.traditionalPEM(key),
        ]
        if type != .ed25519 {
            files.append(try PrivateKeyFile.legacyEncryptedPEM(key, password: Self.password))
        }
        for file in files {
            let result = try TestSupport.run(
                ["openssl", "pkey", "-pubout", "-passin", "pass:writer-password"], input: Data(file.utf8)
            )
            #expect(result.status == 0, "\(String(decoding: result.error, as: UTF8.self))")
            #expect(String(decoding: result.output, as: UTF8.self) == expected)
        }
    }

    @Test("Generated keys have the requested type; small RSA keys are refused")
    func generate() throws {
        for type in Self.keyTypes {
            #expect(try Self.key(type).keyType == type)
        }
        #expect(KeyType.rsa(bits: 3072).description == "RSA 3072")
        #expect(KeyType.ed25519.description == "Ed25519")
        #expect(throws: StepCryptoError(code: .unsupportedAlgorithm)) {
            try PrivateKeyMaterial.generate(.rsa(bits: 1024))
        }
    }
}
