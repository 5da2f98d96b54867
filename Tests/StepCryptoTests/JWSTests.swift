import Foundation
import StepCrypto
import Testing

private typealias S = JWSTestSupport

@Suite("JWS signing and verification")
struct JWSTests {
    @Test("The test SHA-256 and HMAC match FIPS 180 and RFC 4231")
    func testPrimitives() {
        #expect(S.hex(S.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2.
        let mac = S.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(S.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("Every key type and algorithm round-trips", arguments: S.algorithmCases)
    func roundTrip(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let claims = S.stepClaims()
        let compact = try JWS.sign(claims: claims, key: key, algorithm: algorithm, keyID: "the-kid")
        let parsed = try JWS.parse(compact)
        #expect(parsed.compact == compact)
        #expect(String(decoding: parsed.header.rawJSON, as: UTF8.self) == #"{"alg":"\#(algorithm)","kid":"the-kid","typ":"JWT"}"#)
        #expect(parsed.header.algorithm == algorithm)
        #expect(parsed.header.keyID == "the-kid")
        #expect(parsed.header.type == "JWT")
        #expect(parsed.signature.count == S.signatureLength(algorithm))
        #expect(parsed.signingInput == Data(compact.utf8.prefix(compact.utf8.count - S.segments(compact)[2].utf8.count - 1)))
        #expect(try parsed.verify(with: key.publicKey) == algorithm)
        #expect(try parsed.verifiedClaims(with: key.publicKey) == claims)
        #expect(try parsed.unverifiedClaims() == claims)

        // A JWK without alg accepts every algorithm of its key type; one with alg only that one.
        var jwk = JWK(publicKey: key.publicKey)
        jwk.algorithm = nil
        #expect(try parsed.verify(with: jwk) == algorithm)
        jwk.algorithm = algorithm.rawValue
        #expect(try parsed.verify(with: jwk) == algorithm)
        // The private JWK verifies too (its public members are used).
        var privateJWK = JWK(privateKey: key)
        privateJWK.algorithm = algorithm.rawValue
        #expect(try parsed.verify(with: privateJWK) == algorithm)
    }

    @Test("The default algorithm follows the key", arguments: zip(S.keyTypes, ["ES256", "ES384", "ES512", "RS256", "EdDSA"]))
    func defaultAlgorithm(type: KeyType, expected: String) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(payload: Data("{}".utf8), key: key)
        let header = String(decoding: try Base64URL.decode(S.segments(compact)[0]), as: UTF8.self)
        #expect(header == #"{"alg":"\#(expected)","typ":"JWT"}"#)
        #expect(JWSAlgorithm.defaultAlgorithm(for: key.publicKey).rawValue == expected)
        #expect(JWK.defaultAlgorithm(for: key.publicKey) == expected)
        #expect(try JWS.parse(compact).verify(with: key.publicKey).rawValue == expected)
    }

    @Test("Header members: alg, kid, typ in order, then the extra members as given")
    func headerMembers() throws {
        let key = try S.key(.ecdsaP256)
        let der = Data([0x30, 0x03, 0x02, 0x01, 0x05])
        let compact = try JWS.sign(
            payload: Data("{}".utf8), key: key, keyID: "k<1>", type: "JWT",
            additionalHeader: [
                ("x5c", .array([.string(der.base64EncodedString())])),
                ("nonce", "abc"),
                ("x5t#S256", .string(Base64URL.encode(Data(repeating: 7, count: 32)))),
                ("jwk", .object(["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(Data(repeating: 1, count: 32))), "y": "AA"])),
            ]
        )
        let parsed = try JWS.parse(compact)
        let raw = String(decoding: parsed.header.rawJSON, as: UTF8.self)
        #expect(raw.hasPrefix(#"{"alg":"ES256","kid":"k\u003c1\u003e","typ":"JWT","x5c":["MAMCAQU="],"nonce":"abc","x5t#S256":""#))
        #expect(raw.hasSuffix(#","jwk":{"crv":"P-256","kty":"EC","x":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE","y":"AA"}}"#))
        #expect(parsed.header.keyID == "k<1>")
        #expect(parsed.header.x509CertificateChain == [der])
        #expect(parsed.header.x509CertificateSHA256Thumbprint == Data(repeating: 7, count: 32))
        #expect(parsed.header.jwk?.keyType == "EC")
        #expect(parsed.header.jwk?.y == Data([0]))
        #expect(parsed.header["nonce"] == "abc")
        #expect(parsed.header.members.count == 7)
        #expect(try parsed.verify(with: key.publicKey) == .es256)

        // No kid, no typ.
        let bare = try JWS.sign(payload: Data(), key: key, type: nil)
        #expect(try Base64URL.decode(S.segments(bare)[0]) == Data(#"{"alg":"ES256"}"#.utf8))
        #expect(S.segments(bare)[1].isEmpty)
        #expect(try JWS.parse(bare).verify(with: key.publicKey) == .es256)
    }

    @Test("Reserved or repeated extra header members are refused", arguments: ["alg", "kid", "typ", "crit", "nonce"])
    func reservedHeaderMembers(name: String) throws {
        let key = try S.key(.ecdsaP256)
        let extra: [(name: String, value: JSONValue)] = name == "nonce" ? [("nonce", "a"), ("nonce", "b")] : [(name, .string("x"))]
        let error = S.jwsError { _ = try JWS.sign(payload: Data(), key: key, additionalHeader: extra) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("Signing with an algorithm the key cannot make is refused", arguments: [
        (KeyType.ecdsaP256, JWSAlgorithm.es384), (.ecdsaP256, .rs256), (.ecdsaP384, .es256), (.ecdsaP521, .es384),
        (.rsa(bits: 2048), .es256), (.rsa(bits: 2048), .edDSA), (.ed25519, .es256), (.ed25519, .ps256),
    ])
    func signWithWrongAlgorithm(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let error = S.jwsError { _ = try JWS.sign(payload: Data("{}".utf8), key: key, algorithm: algorithm) }
        #expect(error?.code == .algorithmMismatch)
    }

    @Test("Algorithms allowed per key are decided by the key")
    func allowedAlgorithms() throws {
        #expect(JWSAlgorithm.algorithms(for: try S.key(.ecdsaP256).publicKey) == [.es256])
        #expect(JWSAlgorithm.algorithms(for: try S.key(.ecdsaP384).publicKey) == [.es384])
        #expect(JWSAlgorithm.algorithms(for: try S.key(.ecdsaP521).publicKey) == [.es512])
        #expect(JWSAlgorithm.algorithms(for: try S.key(.rsa(bits: 2048)).publicKey) == [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512])
        #expect(JWSAlgorithm.algorithms(for: try S.key(.ed25519).publicKey) == [.edDSA])
    }

    // MARK: - Algorithm confusion

    @Test("A token verified with a key of another type is an algorithm mismatch", arguments: S.algorithmCases)
    func crossKeyType(signer: KeyType, algorithm: JWSAlgorithm) throws {
        let compact = try JWS.sign(claims: S.stepClaims(), key: try S.key(signer), algorithm: algorithm)
        let parsed = try JWS.parse(compact)
        for verifier in S.keyTypes where verifier != signer {
            let verifyKey = try S.key(verifier)
            #expect(S.jwsError { try parsed.verify(with: verifyKey.publicKey) }?.code == .algorithmMismatch, "\(verifier)")
            var jwk = JWK(publicKey: verifyKey.publicKey)
            jwk.algorithm = nil
            #expect(S.jwsError { try parsed.verify(with: jwk) }?.code == .algorithmMismatch, "\(verifier)")
        }
    }

    @Test("A header naming another EC size than the key is refused, whatever the signature", arguments: [
        (KeyType.ecdsaP256, "ES384"), (.ecdsaP256, "ES512"), (.ecdsaP384, "ES256"), (.ecdsaP521, "ES256"),
        (.ecdsaP256, "RS256"), (.ecdsaP256, "PS256"), (.ecdsaP256, "EdDSA"),
        (.ed25519, "ES256"), (.rsa(bits: 2048), "ES256"), (.rsa(bits: 2048), "EdDSA"),
    ])
    func headerAlgorithmLies(type: KeyType, headerAlgorithm: String) throws {
        let key = try S.key(type)
        // A real signature by the key, under a header that names a different algorithm.
        let genuine = try JWS.sign(claims: S.stepClaims(), key: key)
        let forged = S.replacingHeader(genuine, with: #"{"alg":"\#(headerAlgorithm)","typ":"JWT"}"#)
        let parsed = try JWS.parse(forged)
        #expect(S.jwsError { try parsed.verify(with: key.publicKey) }?.code == .algorithmMismatch)
        #expect(S.jwsError { try parsed.verify(with: JWK(publicKey: key.publicKey)) }?.code == .algorithmMismatch)
    }

    @Test("A JWK's alg must equal the header's alg")
    func jwkAlgorithmPins() throws {
        let key = try S.key(.rsa(bits: 2048))
        let ps256 = try JWS.parse(try JWS.sign(claims: S.stepClaims(), key: key, algorithm: .ps256))
        var jwk = JWK(publicKey: key.publicKey)
        #expect(jwk.algorithm == "RS256")
        #expect(S.jwsError { try ps256.verify(with: jwk) }?.code == .algorithmMismatch)
        #expect(try ps256.verify(with: key.publicKey) == .ps256)

        // An EC JWK whose alg does not fit its own curve verifies nothing.
        let ecKey = try S.key(.ecdsaP256)
        let es256 = try JWS.parse(try JWS.sign(claims: S.stepClaims(), key: ecKey))
        jwk = JWK(publicKey: ecKey.publicKey)
        jwk.algorithm = "ES384"
        #expect(S.jwsError { try es256.verify(with: jwk) }?.code == .algorithmMismatch)
        jwk.algorithm = "es256"
        #expect(S.jwsError { try es256.verify(with: jwk) }?.code == .algorithmMismatch)
    }

    @Test("A JWK for encryption or one that is not a key is refused")
    func unusableJWK() throws {
        let key = try S.key(.ecdsaP256)
        let parsed = try JWS.parse(try JWS.sign(claims: S.stepClaims(), key: key))
        var jwk = JWK(publicKey: key.publicKey)
        jwk.use = "enc"
        #expect(S.jwsError { try parsed.verify(with: jwk) }?.code == .invalidKey)
        jwk.use = nil
        #expect(try parsed.verify(with: jwk) == .es256)
        jwk.y = Data(repeating: 0, count: 32)
        #expect(S.jwsError { try parsed.verify(with: jwk) }?.code == .invalidKey)
        jwk.y = nil
        #expect(S.jwsError { try parsed.verify(with: jwk) }?.code == .invalidKey)

        // A 1024-bit RSA modulus never reaches signature verification.
        let rsa = try JWS.parse(try JWS.sign(claims: S.stepClaims(), key: try S.key(.rsa(bits: 2048))))
        var weak = JWK(keyType: "RSA", n: Data([0xC1] + [UInt8](repeating: 0x5A, count: 126) + [0x01]), e: Data([1, 0, 1]))
        #expect(S.jwsError { try rsa.verify(with: weak) }?.code == .invalidKey)
        weak.keyType = "oct"
        #expect(S.jwsError { try rsa.verify(with: weak) }?.code == .invalidKey)
    }

    @Test("alg none is refused, with or without a signature", arguments: ["none", "None", "NONE", "nOnE"])
    func algorithmNone(name: String) throws {
        let header = #"{"alg":"\#(name)","typ":"JWT"}"#
        let payload = #"{"iss":"anchor@example.com","sub":"admin"}"#
        let withSignature = S.token(header: header, payload: payload, signature: Data(repeating: 1, count: 64))
        let emptySignature = S.b64(header) + "." + S.b64(payload) + "."
        for compact in [withSignature, emptySignature] {
            #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .algorithmNone)
        }
        // Two segments is not a JWS at all.
        let twoSegments = S.b64(header) + "." + S.b64(payload)
        #expect(S.jwsError { _ = try JWS.parse(twoSegments) }?.code == .malformedToken)
    }

    @Test("HS256 keyed with the public key (the classic confusion) is refused", arguments: ["HS256", "HS384", "HS512", "hs256"])
    func hmacWithPublicKey(name: String) throws {
        let key = try S.key(.ecdsaP256).publicKey
        var jwk = JWK(publicKey: key)
        jwk.algorithm = nil
        let secrets: [Data] = [Data(key.pemRepresentation.utf8), key.subjectPublicKeyInfoDER, jwk.jsonData()]
        let header = #"{"alg":"\#(name)","typ":"JWT"}"#
        let payload = #"{"iss":"anchor@example.com","sub":"admin"}"#
        for secret in secrets {
            let signingInput = S.b64(header) + "." + S.b64(payload)
            let mac = S.hmacSHA256(key: Array(secret), message: Array(signingInput.utf8))
            let compact = signingInput + "." + Base64URL.encode(mac)
            let error = S.jwsError { try JWS.parse(compact).verify(with: key) }
            #expect(error?.code == .symmetricAlgorithm)
            #expect(S.jwsError { try JWS.parse(compact).verify(with: jwk) }?.code == .symmetricAlgorithm)
        }
    }

    @Test("Unknown algorithms are refused", arguments: ["ES256K", "Ed25519", "RS1", "es256", "", "PS256 ", "RSA-OAEP", "ECDH-ES"])
    func unknownAlgorithm(name: String) throws {
        let compact = S.token(header: #"{"alg":"\#(name)"}"#, payload: "{}", signature: Data(repeating: 1, count: 64))
        #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .unsupportedAlgorithm)
    }

    @Test("alg must be present and a string")
    func algorithmMissingOrWrongType() throws {
        for header in [#"{"typ":"JWT"}"#, #"{"alg":256}"#, #"{"alg":null}"#, #"{"alg":["ES256"]}"#] {
            let compact = S.token(header: header, payload: "{}", signature: Data(repeating: 1, count: 64))
            #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .malformedToken, "\(header)")
        }
    }

    // MARK: - Signatures

    @Test("A token signed by another key of the same type does not verify", arguments: S.algorithmCases)
    func otherKey(type: KeyType, algorithm: JWSAlgorithm) throws {
        let compact = try JWS.sign(claims: S.stepClaims(), key: try S.otherKey(type), algorithm: algorithm)
        let error = S.jwsError { try JWS.parse(compact).verify(with: try S.key(type).publicKey) }
        #expect(error?.code == .invalidSignature)
    }

    @Test("A flipped signature bit does not verify", arguments: S.algorithmCases)
    func flippedBit(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key, algorithm: algorithm)
        let signature = try JWS.parse(compact).signature
        for index in [0, signature.count / 2, signature.count - 1] {
            for bit in [0, 7] {
                var flipped = signature
                flipped[flipped.startIndex + index] ^= UInt8(1 << bit)
                let error = S.jwsError { try JWS.parse(S.replacingSignature(compact, with: flipped)).verify(with: key.publicKey) }
                #expect(error?.code == .invalidSignature)
            }
        }
    }

    @Test("A changed payload does not verify", arguments: S.algorithmCases)
    func changedPayload(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key, algorithm: algorithm)
        var claims = S.stepClaims()
        claims.subject = "admin"
        let parts = S.segments(compact)
        let forged = parts[0] + "." + Base64URL.encode(try claims.jsonData()) + "." + parts[2]
        #expect(S.jwsError { try JWS.parse(forged).verify(with: key.publicKey) }?.code == .invalidSignature)
    }

    @Test("A DER-encoded ECDSA signature is refused; only raw R||S is JOSE", arguments: [
        (KeyType.ecdsaP256, JWSAlgorithm.es256), (.ecdsaP384, .es384), (.ecdsaP521, .es512),
    ])
    func derSignature(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key)
        let raw = try JWS.parse(compact).signature
        let der = S.derECDSASignature(raw: raw)
        #expect(der.first == 0x30)
        #expect(der.count != raw.count)
        let error = S.jwsError { try JWS.parse(S.replacingSignature(compact, with: der)).verify(with: key.publicKey) }
        #expect(error?.code == .invalidSignature)
    }

    @Test("Signatures of the wrong length are refused", arguments: S.algorithmCases)
    func wrongLength(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key, algorithm: algorithm)
        let signature = try JWS.parse(compact).signature
        let variants: [Data] = [
            signature.dropLast(), signature + [0], Data([0]) + signature, Data(signature.prefix(1)),
            signature + signature,
        ]
        for variant in variants {
            let error = S.jwsError { try JWS.parse(S.replacingSignature(compact, with: variant)).verify(with: key.publicKey) }
            #expect(error?.code == .invalidSignature)
        }
    }

    @Test("All-zero and all-ones signatures are refused", arguments: S.algorithmCases)
    func degenerateSignatures(type: KeyType, algorithm: JWSAlgorithm) throws {
        let key = try S.key(type)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key, algorithm: algorithm)
        let length = S.signatureLength(algorithm)
        for byte: UInt8 in [0x00, 0xFF] {
            let forged = S.replacingSignature(compact, with: Data(repeating: byte, count: length))
            #expect(S.jwsError { try JWS.parse(forged).verify(with: key.publicKey) }?.code == .invalidSignature)
        }
    }

    @Test("Signing twice gives tokens that both verify")
    func signTwice() throws {
        for type in S.keyTypes {
            let key = try S.key(type)
            let first = try JWS.sign(claims: S.stepClaims(), key: key)
            let second = try JWS.sign(claims: S.stepClaims(), key: key)
            #expect(try JWS.parse(first).verify(with: key.publicKey) == JWS.parse(second).verify(with: key.publicKey))
        }
    }

    // MARK: - Structure

    @Test("Only three segments are a JWS; five are an encrypted token", arguments: [1, 2, 4, 5, 6])
    func segmentCounts(count: Int) throws {
        let compact = try JWS.sign(claims: S.stepClaims(), key: try S.key(.ecdsaP256))
        let parts = S.segments(compact)
        let token = (0..<count).map { parts[$0 % 3] }.joined(separator: ".")
        let error = S.jwsError { _ = try JWS.parse(token) }
        if count == 5 {
            #expect(error?.code == .encryptedToken)
            #expect(error?.reason == "encrypted tokens are not accepted")
        } else {
            #expect(error?.code == .malformedToken)
        }
    }

    @Test("A real JWE is an encrypted token")
    func realJWE() throws {
        let jwe = try JWE.encrypt(plaintext: Data("{}".utf8), password: Data("pw".utf8), iterations: 1_000)
        #expect(S.jwsError { _ = try JWS.parse(jwe) }?.code == .encryptedToken)
    }

    @Test("Malformed base64url in any segment is refused")
    func malformedBase64() throws {
        let compact = try JWS.sign(claims: S.stepClaims(), key: try S.key(.ecdsaP256))
        let parts = S.segments(compact)
        var variants: [String] = []
        for index in 0..<3 {
            for change in ["+", "/", "=", " ", "*", "\n", "é"] {
                var copy = parts
                copy[index] = String(copy[index].dropLast()) + change
                variants.append(copy.joined(separator: "."))
            }
            var padded = parts
            padded[index] += "=="
            variants.append(padded.joined(separator: "."))
            var impossible = parts
            repeat { impossible[index] += "A" } while impossible[index].count % 4 != 1
            variants.append(impossible.joined(separator: "."))
            var standard = parts
            standard[index] = standard[index].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            if standard[index] != parts[index] { variants.append(standard.joined(separator: ".")) }
        }
        // A header of one character.
        variants.append("e." + parts[1] + "." + parts[2])
        // An empty header segment.
        variants.append("." + parts[1] + "." + parts[2])
        // An empty signature segment.
        variants.append(parts[0] + "." + parts[1] + ".")
        // The JSON serialization.
        variants.append(#"{"payload":"\#(parts[1])","protected":"\#(parts[0])","signature":"\#(parts[2])"}"#)
        for variant in variants {
            #expect(S.jwsError { _ = try JWS.parse(variant) }?.code == .malformedToken, "\(variant)")
        }
    }

    @Test("Non-canonical base64url (non-zero trailing bits) is refused")
    func nonCanonicalBase64() throws {
        let key = try S.key(.ecdsaP256)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key)
        let parts = S.segments(compact)
        // A 64-byte signature is 86 characters; the last one carries 2 data bits and 4 zero bits.
        #expect(parts[2].count == 86)
        let last = parts[2].last!
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let index = try #require(alphabet.firstIndex(of: last))
        let sibling = alphabet[index | 1]
        let forged = parts[0] + "." + parts[1] + "." + parts[2].dropLast() + String(sibling)
        #expect(forged != compact)
        #expect(try Base64URL.decode(String(parts[2].dropLast()) + String(sibling)) == Base64URL.decode(parts[2]))
        #expect(S.jwsError { _ = try JWS.parse(forged) }?.code == .malformedToken)
        #expect(try JWS.parse(compact).verify(with: key.publicKey) == .es256)
    }

    @Test("Surrounding whitespace is ignored, inner whitespace is not")
    func whitespace() throws {
        let key = try S.key(.ecdsaP256)
        let compact = try JWS.sign(claims: S.stepClaims(), key: key)
        let parsed = try JWS.parse("  " + compact + "\n")
        #expect(parsed.compact == compact)
        #expect(try parsed.verify(with: key.publicKey) == .es256)
        let parts = S.segments(compact)
        #expect(S.jwsError { _ = try JWS.parse(parts[0] + ". " + parts[1] + "." + parts[2]) }?.code == .malformedToken)
    }

    @Test("The header must be a JSON object", arguments: [
        "[]", #""ES256""#, "1", "null", "true", "", "{", #"{"alg":"ES256"} x"#, #"{"alg":"ES256",}"#,
        #"{"alg":"ES256","alg":"ES256"}"#, #"{"alg":"none","alg":"ES256"}"#, #"{'alg':'ES256'}"#,
    ])
    func headerNotObject(header: String) throws {
        let compact = S.b64(header) + "." + S.b64("{}") + "." + Base64URL.encode(Data(repeating: 1, count: 64))
        #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .malformedToken)
    }

    @Test("Header members of the wrong type are refused", arguments: [
        #"{"alg":"ES256","kid":1}"#, #"{"alg":"ES256","typ":{}}"#, #"{"alg":"ES256","cty":true}"#,
        #"{"alg":"ES256","x5c":"MAMCAQU="}"#, #"{"alg":"ES256","x5c":[1]}"#, #"{"alg":"ES256","x5c":["MAMCAQU"]}"#,
        #"{"alg":"ES256","x5c":["MAMC-QU="]}"#, #"{"alg":"ES256","x5c":[""]}"#,
        #"{"alg":"ES256","x5t#S256":"AAAA"}"#, #"{"alg":"ES256","x5t#S256":5}"#,
        #"{"alg":"ES256","jwk":"key"}"#, #"{"alg":"ES256","jwk":{"crv":"P-256"}}"#,
        #"{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}}"#,
        #"{"alg":"ES256","kid":"\ud800"}"#,
    ])
    func headerMemberTypes(header: String) throws {
        let compact = S.token(header: header, payload: "{}", signature: Data(repeating: 1, count: 64))
        #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .malformedToken)
    }

    @Test("A crit header is refused", arguments: [
        #"{"alg":"ES256","crit":["exp"],"exp":1}"#, #"{"alg":"ES256","b64":false,"crit":["b64"]}"#,
        #"{"alg":"ES256","crit":[]}"#, #"{"crit":["x"],"alg":"ES256"}"#,
    ])
    func critical(header: String) throws {
        let key = try S.key(.ecdsaP256)
        let genuine = try JWS.sign(claims: S.stepClaims(), key: key)
        let compact = S.replacingHeader(genuine, with: header)
        #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .criticalHeader)
    }

    @Test("Tokens over 64 KiB are refused before any decoding")
    func hugeToken() throws {
        let key = try S.key(.ecdsaP256)
        func token(fill: Int) throws -> String {
            var claims = S.stepClaims()
            claims.privateClaims["fill"] = .string(String(repeating: "x", count: fill))
            return try JWS.sign(claims: claims, key: key)
        }
        // Find the largest filler that still fits; the token just under the limit verifies.
        let base = try token(fill: 0).utf8.count
        var fill = (JWS.maximumTokenLength - base) * 3 / 4
        while try token(fill: fill + 1).utf8.count <= JWS.maximumTokenLength { fill += 1 }
        while try token(fill: fill).utf8.count > JWS.maximumTokenLength { fill -= 1 }
        let largest = try token(fill: fill)
        #expect(largest.utf8.count > JWS.maximumTokenLength - 4)
        #expect(try JWS.parse(largest).verify(with: key.publicKey) == .es256)

        let over = try token(fill: fill + 3)
        #expect(over.utf8.count > JWS.maximumTokenLength)
        #expect(S.jwsError { _ = try JWS.parse(over) }?.code == .tokenTooLarge)

        // Size is checked before anything else: a megabyte of garbage, or of dots.
        #expect(S.jwsError { _ = try JWS.parse(String(repeating: "!", count: 1 << 20)) }?.code == .tokenTooLarge)
        #expect(S.jwsError { _ = try JWS.parse(String(repeating: ".", count: 1 << 20)) }?.code == .tokenTooLarge)
    }

    @Test("Deeply nested header JSON is refused without exhausting the stack")
    func deepNesting() throws {
        let deep = #"{"alg":"ES256","x":"# + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + "}"
        let compact = S.token(header: deep, payload: "{}", signature: Data(repeating: 1, count: 64))
        #expect(compact.utf8.count < JWS.maximumTokenLength)
        #expect(S.jwsError { _ = try JWS.parse(compact) }?.code == .malformedToken)
    }

    @Test("Error codes are stable strings")
    func errorCodes() {
        let codes: [JWSError.Code] = [
            .malformedToken, .encryptedToken, .tokenTooLarge, .criticalHeader, .algorithmNone, .symmetricAlgorithm,
            .unsupportedAlgorithm, .algorithmMismatch, .invalidKey, .invalidSignature, .malformedClaims, .notYetValid,
            .expired, .issuedInFuture, .invalidArgument, .signingFailed,
        ]
        #expect(codes.map(\.rawValue) == [
            "malformed-token", "encrypted-token", "token-too-large", "critical-header", "algorithm-none",
            "symmetric-algorithm", "unsupported-algorithm", "algorithm-mismatch", "invalid-key", "invalid-signature",
            "malformed-claims", "token-not-yet-valid", "token-expired", "token-issued-in-future", "invalid-argument",
            "signing-failed",
        ])
        #expect(Set(codes).count == codes.count)
        #expect(JWSError(code: .expired, reason: "a") == JWSError(code: .expired, reason: "b"))
        #expect(JWSError(code: .expired, reason: "x").description.hasPrefix("JWSError.token-expired: x ("))
    }
}
