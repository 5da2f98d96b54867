import Foundation
import StepCrypto
import Testing

@Suite("JWE with a password")
struct JWETests {
    static let password = Data("jwe-password".utf8)

    static func header(of compact: String) throws -> String {
        let segment = try #require(compact.split(separator: ".").first)
        return String(decoding: try Base64URL.decode(segment), as: UTF8.self)
    }

    @Test("encrypt writes step's form and decrypt reads it back")
    func stepForm() throws {
        let plaintext = Data(#"{"kty":"EC"}"#.utf8)
        let compact = try JWE.encrypt(plaintext: plaintext, password: Self.password, iterations: 1000)
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 5)
        let header = try Self.header(of: compact)
        let salt = try #require(header.split(separator: "\"").dropLast().last)
        #expect(header == #"{"alg":"PBES2-HS256+A128KW","cty":"jwk+json","enc":"A256GCM","p2c":1000,"p2s":"\#(salt)"}"#)
        #expect(try Base64URL.decode(salt).count == 16)
        #expect(try Base64URL.decode(parts[1]).count == 40)  // AES-KW of a 256-bit key
        #expect(try Base64URL.decode(parts[2]).count == 12)  // 96-bit IV
        #expect(try Base64URL.decode(parts[4]).count == 16)  // GCM tag
        #expect(try JWE.decrypt(compact: compact, password: Self.password) == plaintext)

        let noContentType = try JWE.encrypt(plaintext: plaintext, password: Self.password, iterations: 1000, contentType: nil)
        #expect(try Self.header(of: noContentType).hasPrefix(#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":1000,"#))
    }

    @Test("The default is 600000 iterations, and a JWK round-trips")
    func defaultIterations() throws {
        let jwk = JWK(privateKey: try #require(KeyFileWriterTests.keys[.ecdsaP256]))
        let compact = try JWE.encrypt(jwk: jwk, password: Self.password)
        #expect(try Self.header(of: compact).contains(#""p2c":600000,"#))
        #expect(try JWE.decryptJWK(compact: compact, password: Self.password) == jwk)
    }

    @Test("A wrong password gives wrong-password")
    func wrongPassword() throws {
        let compact = try JWE.encrypt(plaintext: Data("secret".utf8), password: Self.password, iterations: 1000)
        #expect(throws: StepCryptoError(code: .wrongPassword)) {
            try JWE.decrypt(compact: compact, password: Data("jwe-passwore".utf8))
        }
    }

    @Test("Tampered parts are rejected")
    func tampered() throws {
        let compact = try JWE.encrypt(plaintext: Data("secret message".utf8), password: Self.password, iterations: 1000)
        var parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var ciphertext = try Base64URL.decode(parts[3])
        ciphertext[0] ^= 1
        parts[3] = Base64URL.encode(ciphertext)
        #expect(throws: StepCryptoError(code: .wrongPassword)) {
            try JWE.decrypt(compact: parts.joined(separator: "."), password: Self.password)
        }
    }

    @Test("Iteration counts outside 1000...10000000 are refused both ways")
    func iterationBounds() throws {
        for iterations in [999, 10_000_001] {
            #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
                try JWE.encrypt(plaintext: Data(), password: Self.password, iterations: iterations)
            }
            let header = #"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2c":\#(iterations),"p2s":"AAAAAAAAAAAAAAAAAAAAAA"}"#
            let compact = [Base64URL.encode(Data(header.utf8)), Base64URL.encode(Data(count: 40)), "AAAAAAAAAAAAAAAA", "", "AAAAAAAAAAAAAAAAAAAAAA"]
                .joined(separator: ".")
            #expect(throws: StepCryptoError(code: .parameterOutOfRange)) {
                try JWE.decrypt(compact: compact, password: Self.password)
            }
        }
    }

    @Test("JWEs written by joserfc decrypt (every alg and enc)")
    func joserfcVectors() throws {
        let vectors = try #require(try TestSupport.vectorJSON("jwe-joserfc.json") as? [[String: String]])
        #expect(vectors.count == 6)
        for vector in vectors {
            let plaintext = try JWE.decrypt(compact: vector["compact"]!, password: TestSupport.vectorPassword)
            #expect(String(decoding: plaintext, as: UTF8.self) == vector["plaintext"], "\(vector["enc"]!)")
            #expect(throws: StepCryptoError(code: .wrongPassword)) {
                try JWE.decrypt(compact: vector["compact"]!, password: Self.password)
            }
        }
    }

    @Test("Unsupported headers are named")
    func unsupportedHeaders() throws {
        let headers = [
            #"{"alg":"dir","enc":"A256GCM"}"#,
            #"{"alg":"PBES2-HS256+A128KW","enc":"A256CTR","p2c":1000,"p2s":"AAAAAAAAAAAAAAAAAAAAAA"}"#,
            #"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","zip":"DEF","p2c":1000,"p2s":"AAAAAAAAAAAAAAAAAAAAAA"}"#,
        ]
        for header in headers {
            let compact = [Base64URL.encode(Data(header.utf8)), "", "", "", ""].joined(separator: ".")
            #expect(throws: StepCryptoError(code: .unsupportedAlgorithm)) {
                try JWE.decrypt(compact: compact, password: Self.password)
            }
        }
    }
}
