import Foundation
import StepCrypto
import Testing

@Suite("JWK")
struct JWKTests {
    /// RFC 7638 §3.1: the example RSA key and its thumbprint.
    static let rfc7638Key = """
        {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
        """

    @Test("RFC 7638 example thumbprint")
    func rfc7638Thumbprint() throws {
        let jwk = try JWK(jsonData: Data(Self.rfc7638Key.utf8))
        #expect(try jwk.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(try jwk.publicKeyMaterial().keyType == .rsa(bits: 2048))
        // step's member order for RSA: use, kty, kid, alg, n, e.
        let json = jwk.jsonString()
        #expect(json.hasPrefix(#"{"kty":"RSA","kid":"2011-04-29","alg":"RS256","n":"0vx7"#))
        #expect(json.hasSuffix(#","e":"AQAB"}"#))
    }

    static let keyTypes: [KeyType] = [.ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa(bits: 2048), .ed25519]

    @Test("Private and public JWKs convert to and from key material", arguments: keyTypes)
    func roundTrip(_ type: KeyType) throws {
        let key = try #require(KeyFileWriterTests.keys[type])
        let jwk = JWK(privateKey: key)
        #expect(jwk.isPrivate)
        #expect(jwk.use == "sig")
        #expect(jwk.keyID == (try jwk.thumbprint()))
        #expect(jwk.algorithm == JWK.defaultAlgorithm(for: key.publicKey))

        let parsed = try JWK(jsonData: jwk.jsonData())
        #expect(parsed == jwk)
        #expect(try parsed.privateKeyMaterial().publicKey == key.publicKey)
        #expect(try parsed.publicJWK.publicKeyMaterial() == key.publicKey)
        #expect(parsed.publicJWK == JWK(publicKey: key.publicKey))
        #expect(!parsed.publicJWK.isPrivate)
        #expect(throws: StepCryptoError(code: .malformedInput)) {
            try parsed.publicJWK.privateKeyMaterial()
        }

        // Codable gives the same members.
        let viaCodable = try JSONDecoder().decode(JWK.self, from: JSONEncoder().encode(jwk))
        #expect(viaCodable == jwk)
    }

    @Test("Member order matches step's", arguments: keyTypes)
    func memberOrder(_ type: KeyType) throws {
        let key = try #require(KeyFileWriterTests.keys[type])
        let json = JWK(privateKey: key).jsonString()
        let expected: [String]
        switch type {
        case .rsa: expected = ["use", "kty", "kid", "alg", "n", "e", "d", "p", "q", "dp", "dq", "qi"]
        case .ed25519: expected = ["use", "kty", "kid", "crv", "alg", "x", "d"]
        default: expected = ["use", "kty", "kid", "crv", "alg", "x", "y", "d"]
        }
        let names = json.dropFirst().split(separator: ",").map { $0.split(separator: ":")[0].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        #expect(names == expected)
    }

    @Test("EC coordinates and scalars are padded to the curve size")
    func ecPadding() throws {
        let key = try #require(KeyFileWriterTests.keys[.ecdsaP521])
        let jwk = JWK(privateKey: key)
        #expect(jwk.x?.count == 66 && jwk.y?.count == 66 && jwk.d?.count == 66)
        #expect(jwk.curve == "P-521" && jwk.algorithm == "ES512")
    }

    @Test("Mismatched public and private members are detected")
    func inconsistent() throws {
        let first = JWK(privateKey: try #require(KeyFileWriterTests.keys[.ecdsaP256]))
        var second = JWK(privateKey: PrivateKeyMaterial.p256(.init()))
        second.x = first.x
        second.y = first.y
        #expect(throws: StepCryptoError(code: .inconsistentKey)) {
            try second.privateKeyMaterial()
        }
    }

    @Test("Invalid JWKs are rejected with clear codes")
    func invalid() throws {
        let cases: [(String, StepCryptoError.Code)] = [
            (#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#, .malformedInput),  // wrong sizes
            (#"{"kty":"EC","crv":"P-256K","x":"AAAA","y":"AAAA"}"#, .unsupportedAlgorithm),
            (#"{"kty":"EC","crv":"P-256","x":"A+A=","y":"AAAA"}"#, .malformedInput),  // not base64url
            (#"{"kty":"oct","k":"AAAA"}"#, .unsupportedAlgorithm),
            (#"{"kty":"OKP","crv":"X25519","x":"AAAA"}"#, .unsupportedAlgorithm),
            (#"{"crv":"P-256"}"#, .malformedInput),  // no kty
            (#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#, .unsupportedAlgorithm),  // 17-bit modulus
            ("not json", .malformedInput),
        ]
        for (json, code) in cases {
            let error = #expect(throws: StepCryptoError.self, "\(json)") {
                try JWK(jsonData: Data(json.utf8)).publicKeyMaterial()
            }
            #expect(error?.code == code, "\(json): \(String(describing: error))")
        }
    }

    @Test("Strings are escaped as Go's encoding/json escapes them")
    func escaping() {
        var jwk = JWK(keyType: "EC")
        jwk.keyID = "a<b>&\"\\\n\u{1}\u{2028}é"
        #expect(jwk.jsonString() == #"{"kty":"EC","kid":"a\u003cb\u003e\u0026\"\\\n\u0001\u2028é"}"#)
    }
}
