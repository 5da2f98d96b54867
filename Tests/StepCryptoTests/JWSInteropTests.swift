import Foundation
import StepCrypto
import Testing

private typealias S = JWSTestSupport

/// JWS checked against an independent implementation: Python's `joserfc`.
///
/// One Python process per test: it signs a token per algorithm with fresh keys of its own, and
/// verifies the tokens we send it with the public JWKs we send.
@Suite("JWS interoperability with joserfc")
struct JWSInteropTests {
    /// Reads `{"sign":[{"alg","claims"}],"verify":[{"alg","token","jwk"}]}` on stdin and prints
    /// `{"signed":[{"alg","token","jwk"}],"verified":[{"alg","ok","header","claims"|"error"}]}`.
    static let script = """
        import json, sys, warnings
        warnings.simplefilter("ignore")
        from joserfc import jwt
        from joserfc.jwk import ECKey, RSAKey, OKPKey, JWKRegistry
        def new_key(alg):
            if alg == "ES256": return ECKey.generate_key("P-256")
            if alg == "ES384": return ECKey.generate_key("P-384")
            if alg == "ES512": return ECKey.generate_key("P-521")
            if alg == "EdDSA": return OKPKey.generate_key("Ed25519")
            return RSAKey.generate_key(2048)
        request = json.load(sys.stdin)
        signed = []
        for item in request.get("sign", []):
            key = new_key(item["alg"])
            token = jwt.encode({"alg": item["alg"], "kid": "joserfc"}, item["claims"], key, algorithms=[item["alg"]])
            signed.append({"alg": item["alg"], "token": token, "jwk": key.as_dict(private=False)})
        verified = []
        for item in request.get("verify", []):
            try:
                key = JWKRegistry.import_key(item["jwk"])
                result = jwt.decode(item["token"], key, algorithms=[item["alg"]])
                verified.append({"alg": item["alg"], "ok": True, "header": result.header, "claims": result.claims})
            except Exception as error:
                verified.append({"alg": item["alg"], "ok": False, "error": repr(error)})
        json.dump({"signed": signed, "verified": verified}, sys.stdout)
        """

    static func joserfcAvailable() -> Bool {
        (try? TestSupport.run(["python3", "-c", "import joserfc"]).status) == 0
    }

    static func runJoserfc(_ request: [String: Any]) throws -> [String: Any] {
        let input = try JSONSerialization.data(withJSONObject: request)
        let result = try TestSupport.run(["python3", "-c", Self.script], input: input)
        #expect(result.status == 0, "joserfc failed: \(String(decoding: result.error, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: result.output) as? [String: Any])
    }

    static let algorithms = S.algorithmCases.map(\.1)

    @Test("Tokens joserfc signs verify here, for every algorithm")
    func joserfcSignsWeVerify() throws {
        guard try TestSupport.toolAvailable(Self.joserfcAvailable(), "python3 with the joserfc package is not available (pip install joserfc)") else {
            return
        }
        let claims: [String: Any] = [
            "iss": "joserfc", "sub": "interop", "aud": ["https://ca.example.com/1.0/sign", "other"],
            "nbf": 1_795_925_336, "iat": 1_795_925_336, "exp": 1_795_925_636.75, "jti": "j-1",
            "sans": ["a.example.com", "10.0.0.1"], "step": ["ssh": ["certType": "host", "principals": ["h"]] as [String: Any]],
        ]
        let response = try Self.runJoserfc(["sign": Self.algorithms.map { ["alg": $0.rawValue, "claims": claims] }])
        let signed = try #require(response["signed"] as? [[String: Any]])
        #expect(signed.count == Self.algorithms.count)
        for item in signed {
            let alg = try #require(item["alg"] as? String)
            let token = try #require(item["token"] as? String)
            let jwk = try JWK(jsonData: try JSONSerialization.data(withJSONObject: try #require(item["jwk"])))
            let parsed = try JWS.parse(token)
            #expect(parsed.header.algorithm.rawValue == alg)
            #expect(parsed.header.keyID == "joserfc")
            #expect(try parsed.verify(with: jwk).rawValue == alg)
            let decoded = try parsed.verifiedClaims(with: try jwk.publicKeyMaterial())
            #expect(decoded.issuer == "joserfc")
            #expect(decoded.subject == "interop")
            #expect(decoded.audience == ["https://ca.example.com/1.0/sign", "other"])
            #expect(decoded.expiry == NumericDate(secondsSince1970: 1_795_925_636))
            #expect(decoded.notBefore == NumericDate(secondsSince1970: 1_795_925_336))
            #expect(decoded.id == "j-1")
            #expect(decoded.strings(forClaim: "sans") == ["a.example.com", "10.0.0.1"])
            #expect(decoded[claim: "step"]?["ssh"]?["principals"] == ["h"])
            try decoded.validateTime(now: Date(timeIntervalSince1970: 1_795_925_400))

            // A joserfc key of another type, or joserfc's token under another alg, is refused.
            let other = try S.key(alg == "ES256" ? .ed25519 : .ecdsaP256).publicKey
            #expect(S.jwsError { try parsed.verify(with: other) }?.code == .algorithmMismatch)
            var flipped = parsed.signature
            flipped[flipped.startIndex] ^= 1
            #expect(S.jwsError { try JWS.parse(S.replacingSignature(token, with: flipped)).verify(with: jwk) }?.code == .invalidSignature)
        }
    }

    @Test("joserfc verifies the tokens we sign, for every algorithm")
    func weSignJoserfcVerifies() throws {
        guard try TestSupport.toolAvailable(Self.joserfcAvailable(), "python3 with the joserfc package is not available (pip install joserfc)") else {
            return
        }
        var requests: [[String: Any]] = []
        var expected: [String] = []
        for (type, algorithm) in S.algorithmCases {
            let key = try S.key(type)
            let token = try JWS.sign(claims: S.stepClaims(), key: key, algorithm: algorithm, keyID: "ours")
            var jwk = JWK(publicKey: key.publicKey)
            jwk.algorithm = algorithm.rawValue
            let jwkObject = try JSONSerialization.jsonObject(with: jwk.jsonData())
            requests.append(["alg": algorithm.rawValue, "token": token, "jwk": jwkObject])
            expected.append(algorithm.rawValue)
        }
        // Controls: joserfc must refuse a token signed by another key and a tampered one.
        let control = try JWS.sign(claims: S.stepClaims(), key: try S.otherKey(.ecdsaP256), keyID: "ours")
        let controlJWK = try JSONSerialization.jsonObject(with: JWK(publicKey: try S.key(.ecdsaP256).publicKey).jsonData())
        requests.append(["alg": "ES256", "token": control, "jwk": controlJWK])
        let genuine = try JWS.sign(claims: S.stepClaims(), key: try S.key(.ecdsaP256))
        var changed = S.stepClaims()
        changed.subject = "admin"
        let tampered = S.segments(genuine)[0] + "." + Base64URL.encode(try changed.jsonData()) + "." + S.segments(genuine)[2]
        requests.append(["alg": "ES256", "token": tampered, "jwk": controlJWK])

        let response = try Self.runJoserfc(["verify": requests])
        let verified = try #require(response["verified"] as? [[String: Any]])
        #expect(verified.count == expected.count + 2)
        for (item, alg) in zip(verified, expected) {
            #expect(item["ok"] as? Bool == true, "joserfc refused our \(alg) token: \(item["error"] ?? "")")
            let header = try #require(item["header"] as? [String: Any])
            #expect(header["alg"] as? String == alg)
            #expect(header["kid"] as? String == "ours")
            #expect(header["typ"] as? String == "JWT")
            let claims = try #require(item["claims"] as? [String: Any])
            let ours = try JSONValue(jsonData: S.stepClaims().jsonData())
            #expect(try JSONValue(jsonData: JSONSerialization.data(withJSONObject: claims)) == ours)
        }
        for item in verified.suffix(2) {
            #expect(item["ok"] as? Bool == false)
        }
    }
}
