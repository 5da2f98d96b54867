import Foundation
import StepCrypto
import Testing

/// Keys, token surgery and small primitives for the JWS tests.
enum JWSTestSupport {
    static let keyTypes: [KeyType] = KeyFileWriterTests.keyTypes

    /// Every algorithm with the key type that produces it.
    static let algorithmCases: [(KeyType, JWSAlgorithm)] = [
        (.ecdsaP256, .es256), (.ecdsaP384, .es384), (.ecdsaP521, .es512),
        (.rsa(bits: 2048), .rs256), (.rsa(bits: 2048), .rs384), (.rsa(bits: 2048), .rs512),
        (.rsa(bits: 2048), .ps256), (.rsa(bits: 2048), .ps384), (.rsa(bits: 2048), .ps512),
        (.ed25519, .edDSA),
    ]

    /// The signature length each algorithm produces with the test keys.
    static func signatureLength(_ algorithm: JWSAlgorithm) -> Int {
        switch algorithm {
        case .es256, .edDSA: return 64
        case .es384: return 96
        case .es512: return 132
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: return 256
        }
    }

    /// One key per type, shared with the key-file tests (RSA generation is slow in debug builds).
    static func key(_ type: KeyType) throws -> PrivateKeyMaterial {
        try KeyFileWriterTests.key(type)
    }

    /// A second, different key per type.
    static let otherKeys: [KeyType: PrivateKeyMaterial] = {
        var keys: [KeyType: PrivateKeyMaterial] = [:]
        for type in keyTypes {
            keys[type] = try? PrivateKeyMaterial.generate(type)
        }
        return keys
    }()

    static func otherKey(_ type: KeyType) throws -> PrivateKeyMaterial {
        try #require(Self.otherKeys[type])
    }

    /// Claims like the ones step writes, at a fixed time.
    static func stepClaims(at time: Int64 = 1_795_925_336) -> JWTClaims {
        JWTClaims(
            issuer: "anchor@example.com",
            subject: "test.example.com",
            audience: ["https://ca.example.com:9443/1.0/sign"],
            expiry: NumericDate(secondsSince1970: time + 300),
            notBefore: NumericDate(secondsSince1970: time),
            issuedAt: NumericDate(secondsSince1970: time),
            id: String(repeating: "ab", count: 32),
            privateClaims: [
                "sans": ["test.example.com", "10.0.0.1"],
                "sha": "1daed69fb66388545a6ea1d8083a87896bce31a499ede31fe9e89379f18ba272",
            ]
        )
    }

    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func b64(_ text: String) -> String {
        Base64URL.encode(Data(text.utf8))
    }

    /// A token from a header JSON text, a payload JSON text and signature bytes.
    static func token(header: String, payload: String, signature: Data) -> String {
        b64(header) + "." + b64(payload) + "." + Base64URL.encode(signature)
    }

    /// `token` with its signature replaced.
    static func replacingSignature(_ token: String, with signature: Data) -> String {
        let parts = segments(token)
        return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
    }

    /// `token` with its header replaced (the signature no longer covers it).
    static func replacingHeader(_ token: String, with header: String) -> String {
        let parts = segments(token)
        return b64(header) + "." + parts[1] + "." + parts[2]
    }

    /// Lower-case hexadecimal.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// A JOSE raw `R || S` ECDSA signature re-encoded as a DER `ECDSA-Sig-Value`.
    static func derECDSASignature(raw: Data) -> Data {
        let half = raw.count / 2
        func integer(_ bytes: Data) -> [UInt8] {
            var value = Array(bytes.drop(while: { $0 == 0 }))
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02] + length(value.count) + value
        }
        func length(_ count: Int) -> [UInt8] {
            count < 0x80 ? [UInt8(count)] : [0x81, UInt8(count)]
        }
        let body = integer(raw.prefix(half)) + integer(raw.suffix(half))
        return Data([0x30] + length(body.count) + body)
    }

    /// HMAC-SHA-256 (RFC 2104), to forge "public key as HMAC secret" tokens without a crypto library.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = sha256(block.map { $0 ^ 0x36 } + message)
        return sha256(block.map { $0 ^ 0x5C } + inner)
    }

    /// SHA-256 (FIPS 180-4), small and slow; test use only.
    static func sha256(_ message: [UInt8]) -> [UInt8] {
        let k: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ]
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message + [0x80]
        while data.count % 64 != 56 { data.append(0) }
        let bitLength = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        for chunk in stride(from: 0, to: data.count, by: 64) {
            var w = [UInt32](repeating: 0, count: 64)
            for i in 0..<16 {
                w[i] = data[chunk + 4 * i..<chunk + 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32($0))) } }
    }

    /// The error thrown by `body`, or `nil` (recorded as an issue) if it threw nothing or something else.
    static func jwsError(
        _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) -> JWSError? {
        #expect(throws: JWSError.self, sourceLocation: sourceLocation) {
            try body()
        }
    }
}
