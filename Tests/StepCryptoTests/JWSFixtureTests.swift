import Foundation
import StepCrypto
import Testing

private typealias S = JWSTestSupport

/// The one-time tokens the real `step ca token` (step CLI 0.15.16) made for the fixture CA.
@Suite("step-ca 0.19 one-time tokens")
struct JWSFixtureTests {
    static let kid = "MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE"

    /// The token file's contents, which end with a newline.
    static func fixtureFile() throws -> String {
        String(decoding: try TestSupport.fixture("tokens/loadgen-token.jwt"), as: UTF8.self)
    }

    /// The token itself.
    static func fixtureToken() throws -> String {
        try Self.fixtureFile().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The provisioner's public JWK from ca.json.
    static func provisionerJWK() throws -> JWK {
        try JWK(jsonData: try StepFixtureTests.provisioner().keyJSON)
    }

    /// A decoded token file: `{"header":…,"payload":…,"signature":…}`.
    static func inspected(_ name: String) throws -> (header: [String: Any], payload: [String: Any], payloadJSON: Data, signature: String) {
        let data = try TestSupport.fixture("tokens/\(name)")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let header = try #require(object["header"] as? [String: Any])
        let payload = try #require(object["payload"] as? [String: Any])
        let signature = try #require(object["signature"] as? String)
        return (header, payload, try JSONSerialization.data(withJSONObject: payload), signature)
    }

    @Test("The step token verifies with the provisioner's JWK and key, as ES256")
    func verifies() throws {
        // The file as written, trailing newline included, parses; the newline is not part of the token.
        let parsed = try JWS.parse(try Self.fixtureFile())
        #expect(parsed.compact == (try Self.fixtureToken()))
        #expect(!parsed.compact.hasSuffix("\n"))
        #expect(parsed.header.algorithm == .es256)
        #expect(parsed.header.keyID == Self.kid)
        #expect(parsed.header.type == "JWT")
        #expect(String(decoding: parsed.header.rawJSON, as: UTF8.self) == #"{"alg":"ES256","kid":"\#(Self.kid)","typ":"JWT"}"#)
        #expect(parsed.header.members.count == 3)
        #expect(parsed.signature.count == 64)

        let jwk = try Self.provisionerJWK()
        #expect(jwk.algorithm == "ES256")
        #expect(jwk.keyID == parsed.header.keyID)
        #expect(try jwk.thumbprint() == parsed.header.keyID)
        #expect(try parsed.verify(with: jwk) == .es256)
        #expect(try parsed.verify(with: jwk.publicKeyMaterial()) == .es256)
    }

    @Test("The step token's claims decode exactly as the decoded fixture shows")
    func claims() throws {
        let parsed = try JWS.parse(try Self.fixtureToken())
        let claims = try parsed.verifiedClaims(with: try Self.provisionerJWK())
        #expect(claims.issuer == "anchor@example.com")
        #expect(claims.audience == ["https://localhost:9443/1.0/sign"])
        #expect(claims.subject == "lg-0-8174bb.example.com")
        #expect(claims.strings(forClaim: "sans") == ["lg-0-8174bb.example.com"])
        #expect(claims.string(forClaim: "sha") == "1daed69fb66388545a6ea1d8083a87896bce31a499ede31fe9e89379f18ba272")
        #expect(claims.id == "f5cbdf6a3a4ee8cf161334a29d4263af5752647c0205b1b1a1d07d9faa655360")
        #expect(claims.notBefore == NumericDate(secondsSince1970: 1_795_925_336))
        #expect(claims.issuedAt == NumericDate(secondsSince1970: 1_795_925_336))
        #expect(claims.expiry == NumericDate(secondsSince1970: 1_795_925_636))
        #expect(claims.privateClaims.keys.sorted() == ["sans", "sha"])
        #expect(claims.rawJSON == parsed.payload)

        // Member by member against the decoded file, so nothing is left out.
        let inspected = try Self.inspected("loadgen-token.inspect.json")
        #expect(try JSONValue(jsonData: claims.jsonData()) == JSONValue(jsonData: inspected.payloadJSON))
        #expect(inspected.header["kid"] as? String == parsed.header.keyID)
        #expect(inspected.signature == S.segments(try Self.fixtureToken())[2])

        // step writes the claims sorted with a single audience as a string: our encoding is the same bytes.
        #expect(try claims.jsonData() == parsed.payload)
    }

    @Test("The step token is valid through its five minutes plus one minute of leeway either side")
    func timeWindow() throws {
        let claims = try JWS.parse(try Self.fixtureToken()).unverifiedClaims()
        let nbf = Date(timeIntervalSince1970: 1_795_925_336)
        let exp = Date(timeIntervalSince1970: 1_795_925_636)
        try claims.validateTime(now: nbf)
        try claims.validateTime(now: nbf.addingTimeInterval(150))
        try claims.validateTime(now: nbf.addingTimeInterval(-59))
        try claims.validateTime(now: exp.addingTimeInterval(59))
        // 61 s before nbf: not yet valid (iat is also 61 s in the future, but nbf is checked first).
        #expect(S.jwsError { try claims.validateTime(now: nbf.addingTimeInterval(-61)) }?.code == .notYetValid)
        #expect(S.jwsError { try claims.validateTime(now: exp.addingTimeInterval(61)) }?.code == .expired)
    }

    @Test("The step token fails against another key, after tampering, and with a forged header")
    func tampering() throws {
        let compact = try Self.fixtureToken()
        let jwk = try Self.provisionerJWK()
        let parts = S.segments(compact)

        let stranger = try S.key(.ecdsaP256).publicKey
        #expect(S.jwsError { try JWS.parse(compact).verify(with: stranger) }?.code == .invalidSignature)

        var claims = try JWS.parse(compact).unverifiedClaims()
        claims.subject = "admin.example.com"
        claims.privateClaims["sans"] = ["admin.example.com"]
        let changed = parts[0] + "." + Base64URL.encode(try claims.jsonData()) + "." + parts[2]
        #expect(S.jwsError { try JWS.parse(changed).verify(with: jwk) }?.code == .invalidSignature)

        let downgraded = S.replacingHeader(compact, with: #"{"alg":"none","kid":"\#(Self.kid)","typ":"JWT"}"#)
        #expect(S.jwsError { try JWS.parse(downgraded).verify(with: jwk) }?.code == .algorithmNone)
        let hmac = S.replacingHeader(compact, with: #"{"alg":"HS256","kid":"\#(Self.kid)","typ":"JWT"}"#)
        #expect(S.jwsError { try JWS.parse(hmac).verify(with: jwk) }?.code == .symmetricAlgorithm)
        let es384 = S.replacingHeader(compact, with: #"{"alg":"ES384","kid":"\#(Self.kid)","typ":"JWT"}"#)
        #expect(S.jwsError { try JWS.parse(es384).verify(with: jwk) }?.code == .algorithmMismatch)
        // The same header with its members reordered is a different signing input.
        let reordered = S.replacingHeader(compact, with: #"{"kid":"\#(Self.kid)","alg":"ES256","typ":"JWT"}"#)
        #expect(S.jwsError { try JWS.parse(reordered).verify(with: jwk) }?.code == .invalidSignature)
    }

    /// The decoded token files carry header, claims and signature but not the token. Re-encoding
    /// header and claims as step does must give back the exact signed bytes.
    @Test("Tokens rebuilt from the decoded files verify: our encoding is step's", arguments: [
        "loadgen-token.inspect.json", "step-ca-token.sign.inspect.json", "step-ca-token.revoke.inspect.json",
    ])
    func rebuiltFromInspectFiles(name: String) throws {
        let inspected = try Self.inspected(name)
        let claims = try JWTClaims(jsonData: inspected.payloadJSON)
        #expect(inspected.header["alg"] as? String == "ES256")
        #expect(inspected.header["typ"] as? String == "JWT")
        let kid = try #require(inspected.header["kid"] as? String)
        let header = #"{"alg":"ES256","kid":"\#(kid)","typ":"JWT"}"#
        let compact = S.b64(header) + "." + Base64URL.encode(try claims.jsonData()) + "." + inspected.signature
        let verified = try JWS.parse(compact).verifiedClaims(with: try Self.provisionerJWK())
        #expect(verified == claims)
        #expect(verified.issuer == "anchor@example.com")
        #expect(verified.audience.count == 1)
    }

    @Test("A token we sign with the decrypted provisioner key has step's exact header and claims bytes")
    func signLikeStep() throws {
        let (_, encryptedKey, _) = try StepFixtureTests.provisioner()
        let privateJWK = try JWE.decryptJWK(compact: encryptedKey, password: try TestSupport.fixturePassword)
        let key = try privateJWK.privateKeyMaterial()
        let original = try JWS.parse(try Self.fixtureToken())
        let claims = try original.unverifiedClaims()

        let ours = try JWS.sign(claims: claims, key: key, keyID: try privateJWK.thumbprint())
        let stepParts = S.segments(try Self.fixtureToken())
        let ourParts = S.segments(ours)
        #expect(ourParts[0] == stepParts[0])
        #expect(ourParts[1] == stepParts[1])
        // ECDSA signatures are randomised, so only the first two segments can match; ours verifies.
        let parsed = try JWS.parse(ours)
        #expect(try parsed.verifiedClaims(with: try Self.provisionerJWK()) == claims)
    }
}
