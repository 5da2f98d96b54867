import Foundation
import StepCrypto
import Testing

/// Our JWE output checked by an independent implementation: Python's `joserfc`.
@Suite("JWE interoperability with joserfc")
struct JWEInteropTests {
    /// Reads `{"compact","password"}` on stdin, prints the plaintext and the protected header.
    /// joserfc refuses p2c above 300000 as its own DoS guard; step writes 600000, so the
    /// script raises that cap (and only that) before decrypting.
    static let script = """
        import json, sys
        from joserfc import jwe
        from joserfc.jwk import OctKey
        from joserfc.registry import HeaderParameter
        from joserfc._rfc7518.jwe_algs import PBES2HSAlgKeyEncryption
        PBES2HSAlgKeyEncryption.more_header_registry["p2c"] = HeaderParameter("PBES2 Count", "int", True)
        request = json.load(sys.stdin)
        key = OctKey.import_key(request["password"].encode())
        result = jwe.decrypt_compact(request["compact"], key, algorithms=["PBES2-HS256+A128KW", "A256GCM"])
        json.dump({"plaintext": result.plaintext.decode(), "header": result.protected}, sys.stdout)
        """

    static func joserfcAvailable() -> Bool {
        (try? TestSupport.run(["python3", "-c", "import joserfc"]).status) == 0
    }

    @Test("joserfc decrypts our JWE of a private JWK, in step's exact form")
    func joserfcDecryptsOurJWE() throws {
        guard try TestSupport.toolAvailable(Self.joserfcAvailable(), "python3 with the joserfc package is not available (pip install joserfc)") else {
            return
        }
        let key = try #require(KeyFileWriterTests.keys[.ecdsaP256])
        let jwk = JWK(privateKey: key)
        let password = "interop-password"
        let compact = try JWE.encrypt(jwk: jwk, password: Data(password.utf8))

        let request = try JSONSerialization.data(withJSONObject: ["compact": compact, "password": password])
        let result = try TestSupport.run(["python3", "-c", Self.script], input: request)
        #expect(result.status == 0, "joserfc failed: \(String(decoding: result.error, as: UTF8.self))")
        let response = try #require(try JSONSerialization.jsonObject(with: result.output) as? [String: Any])
        #expect(response["plaintext"] as? String == jwk.jsonString())
        let header = try #require(response["header"] as? [String: Any])
        #expect(header["alg"] as? String == "PBES2-HS256+A128KW")
        #expect(header["enc"] as? String == "A256GCM")
        #expect(header["cty"] as? String == "jwk+json")
        #expect(header["p2c"] as? Int == 600_000)

        // And joserfc's reading of the plaintext is the same key.
        let decoded = try JWK(jsonData: Data((response["plaintext"] as? String ?? "").utf8))
        #expect(try decoded.privateKeyMaterial().publicKey == key.publicKey)
    }
}
