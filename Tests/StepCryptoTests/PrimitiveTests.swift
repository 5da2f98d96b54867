import Foundation
import Testing

@testable import StepCrypto

/// Known answers for the primitives written by hand (swift-crypto has none of them).
@Suite("Hand-written primitives")
struct PrimitiveTests {
    static func answers(_ name: String) throws -> [[String: Any]] {
        let json = try TestSupport.vectorJSON("primitives.json") as? [String: Any]
        return try #require(json?[name] as? [[String: Any]])
    }

    static func word(_ hex: String) -> UInt64 {
        TestSupport.hexBytes(hex).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }

    @Test("DES: the FIPS 46 worked example and answers from Python's cryptography")
    func des() throws {
        let classic = DES(key: ArraySlice(TestSupport.hexBytes("133457799bbcdff1")))
        #expect(classic.encrypt(0x0123_4567_89ab_cdef) == 0x85e8_1354_0f0a_b405)
        #expect(classic.decrypt(0x85e8_1354_0f0a_b405) == 0x0123_4567_89ab_cdef)
        for answer in try Self.answers("des") {
            let cipher = DES(key: ArraySlice(TestSupport.hexBytes(answer["key"] as! String)))
            let plaintext = Self.word(answer["plaintext"] as! String)
            let ciphertext = Self.word(answer["ciphertext"] as! String)
            #expect(cipher.encrypt(plaintext) == ciphertext)
            #expect(cipher.decrypt(ciphertext) == plaintext)
        }
    }

    @Test("Three-key triple DES: answers from Python's cryptography")
    func tripleDES() throws {
        for answer in try Self.answers("tripleDES") {
            let cipher = TripleDES(key: TestSupport.hexBytes(answer["key"] as! String))
            let plaintext = Self.word(answer["plaintext"] as! String)
            let ciphertext = Self.word(answer["ciphertext"] as! String)
            #expect(cipher.encrypt(plaintext) == ciphertext)
            #expect(cipher.decrypt(ciphertext) == plaintext)
        }
    }

    @Test("Blowfish: Schneier's first test vector and answers from Python's cryptography")
    func blowfish() throws {
        // Eric Young's set: all-zero key and block.
        let zero = Blowfish(key: [UInt8](repeating: 0, count: 8)).encrypt(0, 0)
        #expect(zero.0 == 0x4ef9_9745 && zero.1 == 0x6198_dd78)
        for answer in try Self.answers("blowfish") {
            let cipher = Blowfish(key: TestSupport.hexBytes(answer["key"] as! String))
            let plaintext = Self.word(answer["plaintext"] as! String)
            let result = cipher.encrypt(UInt32(plaintext >> 32), UInt32(plaintext & 0xffff_ffff))
            #expect((UInt64(result.0) << 32 | UInt64(result.1)) == Self.word(answer["ciphertext"] as! String))
        }
    }

    @Test("bcrypt_pbkdf: answers from Python's bcrypt.kdf")
    func bcryptPBKDF() throws {
        for answer in try Self.answers("bcryptPBKDF") {
            let expected = TestSupport.hexBytes(answer["key"] as! String)
            let key = try BcryptPBKDF.deriveKey(
                password: TestSupport.hexBytes(answer["password"] as! String),
                salt: TestSupport.hexBytes(answer["salt"] as! String),
                rounds: answer["rounds"] as! Int,
                keyLength: expected.count
            )
            #expect(key == expected)
        }
    }

    @Test("bcrypt_pbkdf rejects round counts outside its range")
    func bcryptRounds() {
        #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
            try BcryptPBKDF.deriveKey(password: [1], salt: [1], rounds: 0, keyLength: 32)
        }
        #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
            try BcryptPBKDF.deriveKey(password: [1], salt: [1], rounds: BcryptPBKDF.maximumRounds + 1, keyLength: 32)
        }
    }

    @Test("EVP_BytesToKey: OpenSSL's `enc -md md5 -P` answer")
    func evpBytesToKey() {
        // openssl enc -aes-256-cbc -md md5 -S 0102030405060708 -pass pass:password -P
        let key = EVPBytesToKey.deriveKey(password: Array("password".utf8), salt: [1, 2, 3, 4, 5, 6, 7, 8], keyLength: 48)
        #expect(hexString(key.prefix(32)) == Self.opensslKey)
        #expect(hexString(key.suffix(16)) == Self.opensslIV)
    }

    static let opensslKey = "e7b0971e52ca5cc8d0539fb3412f6316f7ba2e6ee293d9f3457b99436b51ce02"
    static let opensslIV = "8d450e2ed75a84a923d4eac9fe49226b"

    @Test("CBC decryption with bad padding reports wrong-password")
    func cbcPadding() throws {
        let key = [UInt8](repeating: 7, count: 32)
        let iv = [UInt8](repeating: 9, count: 16)
        for cipher in [CBCCipher.aes256, .desEDE3] {
            let keyBytes = Array(key.prefix(cipher.keySize))
            let ivBytes = Array(iv.prefix(cipher.blockSize))
            let plaintext = Array("sixteen byte msg and more".utf8)
            let encrypted = try cipher.encrypt(plaintext, key: keyBytes, iv: ivBytes)
            #expect(try cipher.decrypt(encrypted, key: keyBytes, iv: ivBytes) == plaintext)
            var corrupted = encrypted
            corrupted[corrupted.count - 1] ^= 0xff
            #expect(throws: StepCryptoError(code: .wrongPassword)) {
                try cipher.decrypt(corrupted, key: keyBytes, iv: ivBytes)
            }
            #expect(throws: StepCryptoError(code: .malformedInput)) {
                try cipher.decrypt(Array(encrypted.dropLast()), key: keyBytes, iv: ivBytes)
            }
        }
    }
}
