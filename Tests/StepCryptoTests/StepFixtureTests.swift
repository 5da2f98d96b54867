import Foundation
import StepCrypto
import Testing

/// The real step-ca 0.19 STEPPATH in `Tests/Fixtures/step-ca-0.19`.
@Suite("step-ca 0.19 fixtures")
struct StepFixtureTests {
    static let caKeys = [("secrets/intermediate_ca_key", "certs/intermediate_ca.crt"), ("secrets/root_ca_key", "certs/root_ca.crt")]

    @Test("CA keys open with the fixture password and match their certificates", arguments: caKeys)
    func caKeyMatchesCertificate(key: String, certificate: String) throws {
        let pem = try TestSupport.fixture("steppath/\(key)")
        let material = try PrivateKeyFile.read(pem: pem, password: try TestSupport.fixturePassword)
        #expect(material.keyType == .ecdsaP256)
        #expect(material.keyType.description == "ECDSA P-256")
        let certificatePEM = String(decoding: try TestSupport.fixture("steppath/\(certificate)"), as: UTF8.self)
        let expected = try PublicKeyMaterial(certificatePEM: certificatePEM)
        #expect(material.publicKey == expected)
        #expect(material.subjectPublicKeyInfoDER == expected.subjectPublicKeyInfoDER)
        #expect(material.certificatePrivateKey.publicKey == expected.certificatePublicKey)
    }

    @Test("A wrong password gives wrong-password", arguments: caKeys.map(\.0))
    func caKeyWrongPassword(key: String) throws {
        let pem = try TestSupport.fixture("steppath/\(key)")
        let error = #expect(throws: StepCryptoError.self) {
            try PrivateKeyFile.read(pem: pem, password: Data("anchor-passwordX".utf8))
        }
        #expect(error?.code == .wrongPassword)
        #expect(error?.reason.contains("wrong password") == true)
    }

    @Test("No password gives password-required", arguments: caKeys.map(\.0))
    func caKeyNeedsPassword(key: String) throws {
        let pem = try TestSupport.fixture("steppath/\(key)")
        #expect(try PrivateKeyFile.isEncrypted(pem: String(decoding: pem, as: UTF8.self)))
        #expect(throws: StepCryptoError(code: .passwordRequired)) {
            try PrivateKeyFile.read(pem: pem, password: nil)
        }
    }

    /// The JWK provisioner of the fixture ca.json.
    static func provisioner() throws -> (key: [String: Any], encryptedKey: String, keyJSON: Data) {
        let json = try JSONSerialization.jsonObject(with: try TestSupport.fixture("steppath/config/ca.json")) as? [String: Any]
        let authority = json?["authority"] as? [String: Any]
        let provisioners = authority?["provisioners"] as? [[String: Any]]
        let jwk = try #require(provisioners?.first { $0["type"] as? String == "JWK" })
        let key = try #require(jwk["key"] as? [String: Any])
        let encryptedKey = try #require(jwk["encryptedKey"] as? String)
        return (key, encryptedKey, try JSONSerialization.data(withJSONObject: key))
    }

    /// The provisioner `key` object exactly as written in ca.json (members in file order).
    static func provisionerKeyText() throws -> String {
        let text = String(decoding: try TestSupport.fixture("steppath/config/ca.json"), as: UTF8.self)
        let start = try #require(text.range(of: "\"key\": {"))
        let end = try #require(text.range(of: "}", range: start.upperBound..<text.endIndex))
        let body = text[start.upperBound..<end.lowerBound]
        // Re-compact the pretty-printed object: no whitespace occurs inside these values.
        return "{" + body.filter { !$0.isWhitespace } + "}"
    }

    @Test("The encryptedKey decrypts to the provisioner's private JWK")
    func encryptedKeyDecrypts() throws {
        let (_, encryptedKey, keyJSON) = try Self.provisioner()
        let plaintext = try JWE.decrypt(compact: encryptedKey, password: try TestSupport.fixturePassword)
        let privateJWK = try JWE.decryptJWK(compact: encryptedKey, password: try TestSupport.fixturePassword)
        #expect(privateJWK.isPrivate)
        #expect(privateJWK.keyType == "EC")
        #expect(privateJWK.curve == "P-256")

        let configured = try JWK(jsonData: keyJSON)
        #expect(privateJWK.publicJWK == configured)
        #expect(try privateJWK.thumbprint() == configured.keyID)
        #expect(try configured.thumbprint() == "MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE")

        // The public JWK prints exactly as ca.json has it, member order included.
        #expect(privateJWK.publicJWK.jsonString() == (try Self.provisionerKeyText()))

        // The private key converts and matches the public members.
        let material = try privateJWK.privateKeyMaterial()
        #expect(material.publicKey == (try configured.publicKeyMaterial()))
        #expect(JWK(privateKey: material) == privateJWK)

        // Our JSON of the private key is byte for byte what step encrypted.
        #expect(JWK(privateKey: material).jsonData() == plaintext)
    }

    @Test("Our JWE header has the same shape as step's")
    func headerShape() throws {
        let (_, encryptedKey, _) = try Self.provisioner()
        func headerWithoutSalt(_ compact: String) throws -> String {
            let segment = try #require(compact.split(separator: ".").first)
            let header = String(decoding: try Base64URL.decode(segment), as: UTF8.self)
            let salt = try #require(header.range(of: #""p2s":""#))
            return String(header[..<salt.upperBound])
        }
        // step 0.15 used 100000 iterations; encrypt with the same count to compare.
        let ours = try JWE.encrypt(plaintext: Data("{}".utf8), password: Data("x".utf8), iterations: 100_000)
        #expect(try headerWithoutSalt(ours) == (try headerWithoutSalt(encryptedKey)))
        #expect(try headerWithoutSalt(ours) == #"{"alg":"PBES2-HS256+A128KW","cty":"jwk+json","enc":"A256GCM","p2c":100000,"p2s":""#)
    }

    @Test("The encryptedKey with a wrong password gives wrong-password")
    func encryptedKeyWrongPassword() throws {
        let (_, encryptedKey, _) = try Self.provisioner()
        #expect(throws: StepCryptoError(code: .wrongPassword)) {
            try JWE.decrypt(compact: encryptedKey, password: Data("not-the-password".utf8))
        }
    }
}
