import Foundation
import StepCrypto
import Testing

/// Hostile and broken inputs must throw a StepCryptoError, never crash or hang.
@Suite("Malformed inputs")
struct MalformedInputTests {
    static func pem(_ type: String, _ bytes: [UInt8], headers: [PEMBlock.Header] = []) -> String {
        PEMBlock(type: type, headers: headers, bytes: Data(bytes)).encoded
    }

    /// A DER element with a definite length.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        if content.count < 0x80 {
            return [tag, UInt8(content.count)] + content
        }
        let length = withUnsafeBytes(of: UInt32(content.count).bigEndian, Array.init).drop { $0 == 0 }
        return [tag, 0x80 | UInt8(length.count)] + length + content
    }

    static func sshString(_ bytes: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init) + bytes
    }

    static func expectError(_ input: String, password: Data? = Data("pw".utf8), sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: StepCryptoError.self, sourceLocation: sourceLocation) {
            try PrivateKeyFile.read(pem: input, password: password)
        }
        _ = error
    }

    @Test("Not PEM, garbage base64, unterminated and mismatched blocks")
    func notPEM() {
        let cases = [
            "",
            "hello",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nMAA=\n",
            "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n",
            "-----BEGIN -----\nMAA=\n-----END -----\n",
            "-----BEGIN PRIVATE KEY-----\nM\n-----END PRIVATE KEY-----\n",
        ]
        for input in cases {
            #expect(throws: StepCryptoError(code: .malformedInput), "\(input)") {
                try PrivateKeyFile.read(pem: input, password: nil)
            }
        }
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try PrivateKeyFile.read(pem: Data([0xff, 0xfe, 0x00, 0x80]), password: nil)
        }
    }

    @Test("Random bytes in every key block type")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        for type in ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY"] {
            for length in [0, 1, 2, 7, 64, 300] {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                Self.expectError(Self.pem(type, bytes))
            }
        }
    }

    @Test("Every truncation of real vectors throws", arguments: [
        "ec256.sec1.pem", "ec521.pkcs8.pem", "rsa2048.pkcs1.pem", "ed25519.pkcs8.pem",
        "ec256.pkcs8-aes256-sha256.pem", "ec256.legacy-aes256.pem", "sshed25519.openssh.pem", "sshrsa2048.openssh.pem",
    ])
    func truncations(_ file: String) throws {
        let block = try #require(try PEMBlock.parseAll(try TestSupport.vectorKey(file)).last)
        let bytes = Array(block.bytes)
        for length in 0..<bytes.count {
            var truncated = block
            truncated.bytes = Data(bytes.prefix(length))
            Self.expectError(truncated.encoded)
        }
    }

    @Test("Single-byte corruptions of real vectors throw or still yield a key, never crash", arguments: [
        "ec256.sec1.pem", "rsa2048.pkcs8.pem", "ec256.pkcs8-aes128-sha1.pem", "sshec256.openssh.pem", "ec384.legacy-aes256.pem",
        "sshrsa2048.openssh.pem", "sshed25519.openssh.pem",
    ])
    func corruptions(_ file: String) throws {
        let block = try #require(try PEMBlock.parseAll(try TestSupport.vectorKey(file)).last)
        let bytes = Array(block.bytes)
        // RSA keys are large and slow to validate in debug builds: one flip per byte there.
        let flips: [UInt8] = bytes.count > 1000 ? [0x80] : [0x01, 0x80, 0xff]
        for index in bytes.indices {
            for flip in flips {
                var corrupted = block
                var changed = bytes
                changed[index] ^= flip
                corrupted.bytes = Data(changed)
                _ = try? PrivateKeyFile.read(pem: corrupted.encoded, password: TestSupport.vectorPassword)
            }
        }
    }

    @Test("Huge DER and SSH lengths throw")
    func hugeLengths() {
        // SEQUENCE claiming 2^32-1 bytes; INTEGER with an 8-byte length field.
        Self.expectError(Self.pem("PRIVATE KEY", [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00]))
        Self.expectError(Self.pem("EC PRIVATE KEY", [0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
        Self.expectError(Self.pem("RSA PRIVATE KEY", [0x30, 0x06, 0x02, 0x84, 0x7f, 0xff, 0xff, 0xff]))
        // Deep nesting.
        Self.expectError(Self.pem("PRIVATE KEY", Array(repeating: [0x30, 0x80], count: 5000).flatMap { $0 }))

        // openssh-key-v1 with a cipher-name string of length 0xffffffff.
        let magic = Array("openssh-key-v1\0".utf8)
        Self.expectError(Self.pem("OPENSSH PRIVATE KEY", magic + [0xff, 0xff, 0xff, 0xff, 0x61]))
        // A sane header whose private section claims 2 GiB.
        var sane = magic
        for field in ["none", "none", ""] {
            sane += [0, 0, 0, UInt8(field.utf8.count)] + Array(field.utf8)
        }
        sane += [0, 0, 0, 1] + [0, 0, 0, 0] + [0x7f, 0xff, 0xff, 0xff, 0]
        Self.expectError(Self.pem("OPENSSH PRIVATE KEY", sane))
    }

    @Test("Hostile encryption parameters throw quickly")
    func hostileParameters() throws {
        let password = Data("pw".utf8)
        let procType = PEMBlock.Header(name: "Proc-Type", value: "4,ENCRYPTED")
        let body = [UInt8](repeating: 0, count: 32)
        // Legacy PEM with an unknown cipher, a short IV, a missing DEK-Info.
        #expect(throws: StepCryptoError(code: .unsupportedAlgorithm)) {
            try PrivateKeyFile.read(pem: Self.pem("EC PRIVATE KEY", body, headers: [procType, .init(name: "DEK-Info", value: "BF-CBC,0011223344556677")]), password: password)
        }
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try PrivateKeyFile.read(pem: Self.pem("EC PRIVATE KEY", body, headers: [procType, .init(name: "DEK-Info", value: "AES-256-CBC,0011")]), password: password)
        }
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try PrivateKeyFile.read(pem: Self.pem("EC PRIVATE KEY", body, headers: [procType]), password: password)
        }

        // PBES2 with 2^31 - 1 PBKDF2 iterations, and scrypt with N = 2^30: refused, not computed.
        let oidPBES2: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d]
        let oidPBKDF2: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c]
        let oidScrypt: [UInt8] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b]
        let oidAES256CBC: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a]
        let salt = Self.tlv(0x04, [UInt8](repeating: 1, count: 8))
        let kdfs = [
            Self.tlv(0x30, Self.tlv(0x06, oidPBKDF2) + Self.tlv(0x30, salt + Self.tlv(0x02, [0x7f, 0xff, 0xff, 0xff]))),
            Self.tlv(0x30, Self.tlv(0x06, oidScrypt) + Self.tlv(0x30, salt + Self.tlv(0x02, [0x40, 0, 0, 0]) + Self.tlv(0x02, [8]) + Self.tlv(0x02, [1]))),
        ]
        for kdf in kdfs {
            let scheme = Self.tlv(0x30, Self.tlv(0x06, oidAES256CBC) + Self.tlv(0x04, [UInt8](repeating: 2, count: 16)))
            let algorithm = Self.tlv(0x30, Self.tlv(0x06, oidPBES2) + Self.tlv(0x30, kdf + scheme))
            let info = Self.tlv(0x30, algorithm + Self.tlv(0x04, body))
            let start = Date()
            #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
                try PrivateKeyFile.read(pem: Self.pem("ENCRYPTED PRIVATE KEY", info), password: password)
            }
            #expect(Date().timeIntervalSince(start) < 2)
        }

        // OpenSSH key with 2^32 - 1 bcrypt rounds.
        let kdfOptions = Self.sshString([UInt8](repeating: 3, count: 16)) + [0xff, 0xff, 0xff, 0xff]
        let openssh = Array("openssh-key-v1\0".utf8) + Self.sshString(Array("aes256-ctr".utf8)) + Self.sshString(Array("bcrypt".utf8))
            + Self.sshString(kdfOptions) + [0, 0, 0, 1] + Self.sshString([1, 2, 3]) + Self.sshString(body)
        let start = Date()
        #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
            try PrivateKeyFile.read(pem: Self.pem("OPENSSH PRIVATE KEY", openssh), password: password)
        }
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test("Malformed JWEs throw")
    func malformedJWE() {
        let header = Base64URL.encode(Data(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":1000,"p2s":"AAAAAAAAAAA"}"#.utf8))
        let cases = [
            "", "a.b.c", "a.b.c.d.e.f", "....", "!!!!.a.b.c.d",
            Base64URL.encode(Data("not json".utf8)) + ".a.b.c.d",
            header + ".AAAA.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA",  // short encrypted key
            header + "." + Base64URL.encode(Data(count: 40)) + ".AAAA..AAAA",  // wrong IV size (after unwrap fails: wrong password)
            Base64URL.encode(Data(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM"}"#.utf8)) + ".a.b.c.d",  // no p2c/p2s
            Base64URL.encode(Data(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":1e3,"p2s":"AAAAAAAAAAA"}"#.utf8)) + ".a.b.c.d",
            Base64URL.encode(Data(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":99999999999999999999,"p2s":"AAAAAAAAAAA"}"#.utf8)) + ".a.b.c.d",
            Base64URL.encode(Data(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":1000,"p2s":"AAAA"}"#.utf8)) + ".a.b.c.d",  // short salt
        ]
        for compact in cases {
            #expect(throws: StepCryptoError.self, "\(compact)") {
                try JWE.decrypt(compact: compact, password: Data("pw".utf8))
            }
        }
    }

    @Test("Malformed base64url throws")
    func base64url() throws {
        for text in ["A", "AB=", "AB+C", "AB/C", "A B", "ABCDE"] {
            #expect(throws: StepCryptoError(code: .malformedInput), "\(text)") {
                try Base64URL.decode(text)
            }
        }
        #expect(try Base64URL.decode("") == Data())
        #expect(try Base64URL.decode("AQAB") == Data([1, 0, 1]))
        #expect(try Base64URL.decode("-_8") == Data([0xfb, 0xff]))
    }
}
