import Crypto
import Foundation
import Testing
import StepCrypto
import X509

/// POST /sign against the live CA: issued certificates read back independently (openssl verify,
/// Python's cryptography, the sqlite database), step-ca's validity rules, every refusal with
/// step-ca's status and message, and concurrent issuance.
@Suite("live API: POST /sign", .serialized, .liveCA, .enabled(if: APITools.runnable))
struct APISignTests {
    /// The intermediate's Subject Key Identifier: every leaf's Authority Key Identifier.
    static let intermediateSKI = "e6d9f0362a6fa6b8a07be54ef49ad12395e5a1ff"

    /// DER of the provisioner extension step-ca writes for the fixture JWK provisioner:
    /// SEQUENCE { INTEGER 1, OCTET STRING name, OCTET STRING kid }.
    static var expectedProvisionerExtension: String {
        let name = Array(LiveCA.provisionerName.utf8), kid = Array(LiveCA.provisionerKID.utf8)
        let content: [UInt8] = [0x02, 0x01, 0x01, 0x04, UInt8(name.count)] + name + [0x04, UInt8(kid.count)] + kid
        return Encoding.hex([0x30, UInt8(content.count)] + content)
    }

    static let expectedRecord = "{\"provisioner\":{\"id\":\"\(LiveCA.provisionerID)\",\"name\":\"\(LiveCA.provisionerName)\",\"type\":\"JWK\"}}"

    static let tlsOptionsJSON = "\"tlsOptions\":{\"cipherSuites\":[\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\",\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\"],\"minVersion\":1.2,\"maxVersion\":1.3,\"renegotiation\":false}"

    func certificateCount(_ ca: LiveCA) throws -> Int {
        Int(try ca.sqlite("SELECT count(*) FROM x509_certs;")) ?? -1
    }

    // MARK: Success

    @Test("a CSR is signed: 201, crt/ca/certChain/tlsOptions, verifiable chain, step-ca's leaf profile, stored with its provisioner",
          arguments: [KeyKind.rsa2048, .p256, .p384, .p521, .ed25519])
    func signs(kind: KeyKind) throws {
        let ca = try LiveCA.get()
        let commonName = "\(kind.rawValue).example.com"
        let sans = [commonName, "10.1.2.3", "2001:db8::1", "ops@example.com", "spiffe://example.com/\(kind.rawValue)"]
        let csr = try ca.makeCSR(kind, commonName: commonName, sans: sans)
        let response = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ca.token(subject: commonName, sans: sans)))
        let signedAt = Date()
        try #require(response.status == 201, "\(response)")
        #expect(response.header("content-type") == "application/json")

        // The body: step-ca's field order, the chain without the root, the server's TLS options.
        #expect(response.text.hasPrefix("{\"crt\":\"-----BEGIN CERTIFICATE-----\\n"))
        #expect(response.text.hasSuffix("," + Self.tlsOptionsJSON + "}\n"))
        let json = try #require(response.json)
        #expect(Set(json.keys) == ["crt", "ca", "certChain", "tlsOptions"])
        let crt = try #require(json["crt"] as? String)
        #expect(json["ca"] as? String == ca.intermediatePEM)
        #expect(json["certChain"] as? [String] == [crt, ca.intermediatePEM])

        let verify = try ca.opensslVerify(crt)
        #expect(verify.status == 0 && verify.stdout.hasSuffix(": OK\n"), "\(verify.stdout)\(verify.stderr)")

        let certificate = try Certificate(pemEncoded: crt)
        let serial = Encoding.decimal(certificate.serialNumber.bytes)
        let csrKey = try PublicKeyMaterial(CertificateSigningRequest(derEncoded: Array(csr.der)).publicKey)

        if let facts = try ca.inspect(crt) {
            #expect(facts.serial == serial)
            #expect(facts.commonNames == [commonName])
            #expect(facts.subject == "CN=\(commonName)")
            #expect(facts.issuer == "CN=Anchor CA Intermediate CA,O=Anchor CA")
            #expect(facts.dnsNames == [commonName])
            #expect(facts.ipAddresses == ["10.1.2.3", "2001:db8::1"])
            #expect(facts.emailAddresses == ["ops@example.com"])
            #expect(facts.uris == ["spiffe://example.com/\(kind.rawValue)"])
            #expect(facts.isCritical("2.5.29.17") == false)
            #expect(facts.keyUsage == (kind.isRSA ? ["digital_signature", "key_encipherment"] : ["digital_signature"]))
            #expect(facts.isCritical("2.5.29.15") == true)
            #expect(facts.extendedKeyUsage == [LiveCA.serverAuth, LiveCA.clientAuth])
            #expect(facts.authorityKeyIdentifier == Self.intermediateSKI)
            #expect(facts.subjectKeyIdentifier?.count == 40)
            #expect(facts.provisionerExtensionHex == Self.expectedProvisionerExtension)
            #expect(facts.isCritical(LiveCA.provisionerExtensionOID) == false)
            // The extensions of the captured step-ca 0.19 leaf, in its order.
            #expect(facts.extensionOIDs == ["2.5.29.15", "2.5.29.37", "2.5.29.14", "2.5.29.35", "2.5.29.17", LiveCA.provisionerExtensionOID])
            #expect(facts.publicKeyDER == Encoding.hex(csrKey.subjectPublicKeyInfoDER))
            // Default validity: 24h from now, started one minute (the backdate) ago.
            #expect(facts.notAfter - facts.notBefore == 24 * 3600 + 60)
            #expect(abs(Double(facts.notBefore) - (signedAt.timeIntervalSince1970 - 60)) < 15)
        }

        #expect(try ca.stored("x509_certs", key: serial) == (try Encoding.der(fromPEM: crt)))
        #expect(try ca.storedText("x509_certs_data", key: serial) == Self.expectedRecord)
        try Expect.healthy(ca)
    }

    @Test("POST /sign without the /1.0 prefix signs too, and a CSR without SANs gets the token's")
    func signWithoutPrefix() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "plain.example.com")
        let response = try ca.post("/sign", json: ca.signBody(csr: csr.pem, ott: ca.token(subject: "plain.example.com",
                                                                                       sans: ["plain.example.com", "alt.example.com"])))
        let leaf = try ca.leaf(from: response, commonName: "plain.example.com", keyPath: csr.keyPath, keyPEM: csr.keyPEM)
        if let facts = try ca.inspect(leaf.leafPEM) {
            #expect(facts.dnsNames == ["plain.example.com", "alt.example.com"])
        }
    }

    @Test("a token without a sans claim gets [sub] as its SANs")
    func sansDefaultToSubject() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "nosans.example.com", sans: ["nosans.example.com"])
        let ott = try ca.token(subject: "nosans.example.com") { $0.privateClaims["sans"] = nil }
        let leaf = try ca.leaf(from: try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ott)),
                               commonName: "nosans.example.com", keyPath: csr.keyPath, keyPEM: csr.keyPEM)
        if let facts = try ca.inspect(leaf.leafPEM) {
            #expect(facts.dnsNames == ["nosans.example.com"])
        }
    }

    @Test("notAfter \"1h\": the leaf ends an hour from now and starts a minute ago")
    func notAfterDuration() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "hour.example.com", notAfter: "1h")
        let now = Date().timeIntervalSince1970
        let notBefore = leaf.certificate.notValidBefore.timeIntervalSince1970
        let notAfter = leaf.certificate.notValidAfter.timeIntervalSince1970
        #expect(notAfter - notBefore == 3600 + 60)
        #expect(abs(notAfter - (now + 3600)) < 15)
        if let facts = try ca.inspect(leaf.leafPEM) {
            #expect(facts.notAfter - facts.notBefore == 3660)
        }
    }

    @Test("RFC 3339 notBefore and notAfter are used as given, without backdating")
    func rfc3339Validity() throws {
        let ca = try LiveCA.get()
        let start = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970) + 600)
        let end = start.addingTimeInterval(2 * 3600)
        let leaf = try ca.issue(commonName: "window.example.com", notBefore: Encoding.rfc3339(start), notAfter: Encoding.rfc3339(end))
        #expect(leaf.certificate.notValidBefore == start)
        #expect(leaf.certificate.notValidAfter == end)
        if let facts = try ca.inspect(leaf.leafPEM) {
            #expect(facts.notBefore == Int(start.timeIntervalSince1970))
            #expect(facts.notAfter == Int(end.timeIntervalSince1970))
        }
    }

    @Test("a notAfter duration is relative to the requested notBefore (reference §4.4)")
    func durationsRelativeToNotBefore() throws {
        let ca = try LiveCA.get()
        let before = Date().timeIntervalSince1970
        let leaf = try ca.issue(commonName: "relative.example.com", notBefore: "10m", notAfter: "2h")
        let notBefore = leaf.certificate.notValidBefore.timeIntervalSince1970
        let notAfter = leaf.certificate.notValidAfter.timeIntervalSince1970
        #expect(notAfter - notBefore == 2 * 3600)
        #expect(notBefore >= floor(before) + 600 - 1 && notBefore <= Date().timeIntervalSince1970 + 600)
    }

    @Test("exactly the 24h maximum plus the 1m backdate is allowed")
    func maximumDuration() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "max.example.com", notAfter: "24h")
        #expect(leaf.certificate.notValidAfter.timeIntervalSince(leaf.certificate.notValidBefore) == 24 * 3600 + 60)
    }

    /// Audiences step-ca accepts for a JWK sign token (reference §2.1): every path form, the
    /// legacy audience, any port.
    @Test("accepted token audiences", arguments: ["/1.0/sign", "/sign", "/1.0/ssh/sign", "legacy", "other-port", "no-port"])
    func acceptedAudience(form: String) throws {
        let ca = try LiveCA.get()
        let audience: String
        switch form {
        case "legacy": audience = "step-certificate-authority"
        case "other-port": audience = "https://localhost:1/1.0/sign"
        case "no-port": audience = "https://localhost/1.0/sign"
        default: audience = ca.baseURL + form
        }
        let name = "aud-\(form.replacingOccurrences(of: "/", with: "-")).example.com"
        let csr = try ca.makeCSR(.p256, commonName: name)
        let ott = try ca.token(subject: name) { $0.audience = [audience] }
        let response = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ott))
        #expect(response.status == 201, "\(audience): \(response)")
    }

    @Test("a token expired by less than the one-minute leeway is still accepted")
    func expiryLeeway() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "leeway.example.com")
        let now = Date()
        let ott = try ca.token(subject: "leeway.example.com") {
            $0.expiry = NumericDate(now.addingTimeInterval(-20))
            $0.notBefore = NumericDate(now.addingTimeInterval(-300))
            $0.issuedAt = nil
        }
        let response = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ott))
        #expect(response.status == 201, "\(response)")
    }

    // MARK: Refusals

    /// A refused /sign request: its body, step-ca's status, and step-ca's message (nil: the
    /// generic text of the status). `knownIssue` marks a message our server gets wrong.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let status: Int
        let message: String?
        var knownIssue: String? = nil
        let body: @Sendable (LiveCA) throws -> Data

        var testDescription: String { name }

        static func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

        /// A valid EC CSR for `commonName` (with `sans` in its extension request) and a token built by `token`.
        static func request(commonName: String = "refused.example.com", sans: [String] = [], kind: KeyKind = .p256,
                            notBefore: String? = nil, notAfter: String? = nil,
                            token: @escaping @Sendable (LiveCA) throws -> String) -> @Sendable (LiveCA) throws -> Data {
            { ca in
                let csr = try ca.makeCSR(kind, commonName: commonName, sans: sans)
                return try json(ca.signBody(csr: csr.pem, ott: try token(ca), notBefore: notBefore, notAfter: notAfter))
            }
        }

        static let standardToken: @Sendable (LiveCA) throws -> String = { ca in try ca.token(subject: "refused.example.com") }

        /// A CSR whose signature no longer matches (last byte flipped).
        static func tamperedCSR(_ ca: LiveCA) throws -> String {
            var der = try ca.makeCSR(.p256, commonName: "refused.example.com").der
            der[der.count - 1] ^= 0x01
            return Encoding.pem(der, type: "CERTIFICATE REQUEST")
        }

        /// A compact JWS with the given header and claims and no valid signature of the provisioner key.
        static func unsignedToken(_ ca: LiveCA, header: String, signature: (Data) -> Data) throws -> String {
            let claims = try ca.tokenClaims(subject: "refused.example.com").jsonData()
            let input = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(claims)
            return input + "." + Base64URL.encode(signature(Data(input.utf8)))
        }

        static let all: [Refusal] = [
            Refusal(name: "empty object", status: 400, message: StepMessages.badRequest("missing csr")) { _ in Data("{}".utf8) },
            Refusal(name: "invalid JSON", status: 400, message: StepMessages.badRequest("error decoding json")) { _ in Data("nope".utf8) },
            Refusal(name: "malformed CSR", status: 400, message: StepMessages.badRequest("error decoding json")) { ca in
                try json(["csr": "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n",
                          "ott": try standardToken(ca)])
            },
            Refusal(name: "CSR that is not PEM", status: 400, message: StepMessages.badRequest("error decoding json")) { ca in
                try json(["csr": "hello", "ott": try standardToken(ca)])
            },
            Refusal(name: "csr of the wrong JSON type", status: 400, message: StepMessages.badRequest("error decoding json")) { ca in
                try json(["csr": 5, "ott": try standardToken(ca)])
            },
            Refusal(name: "CSR with a bad signature", status: 400, message: StepMessages.badRequest("invalid csr")) { ca in
                try json(["csr": try tamperedCSR(ca), "ott": try standardToken(ca)])
            },
            Refusal(name: "bad CSR signature is reported before a missing ott", status: 400, message: StepMessages.badRequest("invalid csr")) { ca in
                try json(["csr": try tamperedCSR(ca)])
            },
            Refusal(name: "missing ott", status: 400, message: StepMessages.badRequest("missing ott")) { ca in
                try json(["csr": try ca.makeCSR(.p256, commonName: "refused.example.com").pem, "ott": ""])
            },
            Refusal(name: "garbage token", status: 401, message: nil, body: request { _ in "not-a-token" }),
            Refusal(name: "token signed by another key", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com", key: try PrivateKeyMaterial.generate(.ecdsaP256))
            }),
            Refusal(name: "alg none", status: 401, message: nil, body: request { ca in
                try unsignedToken(ca, header: "{\"alg\":\"none\",\"kid\":\"\(LiveCA.provisionerKID)\",\"typ\":\"JWT\"}") { _ in Data() }
            }),
            Refusal(name: "HS256 keyed with the provisioner public key", status: 401, message: nil, body: request { ca in
                let secret = Data(ca.provisionerKey.publicKey.pemRepresentation.utf8)
                return try unsignedToken(ca, header: "{\"alg\":\"HS256\",\"kid\":\"\(LiveCA.provisionerKID)\",\"typ\":\"JWT\"}") {
                    HMACSHA256.mac(key: secret, message: $0)
                }
            }),
            Refusal(name: "expired token", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") {
                    $0.expiry = NumericDate(Date().addingTimeInterval(-120))
                    $0.notBefore = NumericDate(Date().addingTimeInterval(-600))
                    $0.issuedAt = nil
                }
            }),
            Refusal(name: "token not yet valid", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") {
                    $0.notBefore = NumericDate(Date().addingTimeInterval(300))
                    $0.expiry = NumericDate(Date().addingTimeInterval(600))
                }
            }),
            Refusal(name: "token issued in the future", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") { $0.issuedAt = NumericDate(Date().addingTimeInterval(300)) }
            }),
            Refusal(name: "token issued before the CA started", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") {
                    $0.issuedAt = NumericDate(ca.launchedAt.addingTimeInterval(-3600))
                    $0.notBefore = nil
                }
            }),
            Refusal(name: "wrong audience host", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") { $0.audience = ["https://ca.example.com/1.0/sign"] }
            }),
            Refusal(name: "audience host in another case", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") { $0.audience = ["https://LOCALHOST:\(ca.port)/1.0/sign"] }
            }),
            Refusal(name: "revoke audience on /sign", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") { $0.audience = ["\(ca.baseURL)/1.0/revoke"] }
            }),
            Refusal(name: "unknown kid", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com", keyID: "no-such-kid")
            }),
            Refusal(name: "unknown provisioner (issuer)", status: 401, message: nil, body: request { ca in
                try ca.token(subject: "refused.example.com") { $0.issuer = "nobody@example.com" }
            }),
            Refusal(name: "empty subject", status: 401, message: nil, body: request(commonName: "refused.example.com") { ca in
                try ca.token(subject: "", sans: ["refused.example.com"])
            }),
            Refusal(name: "CN mismatch", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid common name - got csr.example.com, want token.example.com"),
                    body: request(commonName: "csr.example.com") { ca in try ca.token(subject: "token.example.com") }),
            Refusal(name: "DNS SAN mismatch", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid DNS names - got [dns.example.com extra.example.com], want [dns.example.com]"),
                    body: request(commonName: "dns.example.com", sans: ["dns.example.com", "extra.example.com"]) { ca in
                        try ca.token(subject: "dns.example.com")
                    }),
            Refusal(name: "IP SAN mismatch", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid IP addresses - got [10.0.0.1], want [10.0.0.2]"),
                    body: request(commonName: "ip.example.com", sans: ["ip.example.com", "10.0.0.1"]) { ca in
                        try ca.token(subject: "ip.example.com", sans: ["ip.example.com", "10.0.0.2"])
                    }),
            Refusal(name: "email SAN mismatch", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid email addresses - got [a@example.com], want [b@example.com]"),
                    body: request(commonName: "mail.example.com", sans: ["mail.example.com", "a@example.com"]) { ca in
                        try ca.token(subject: "mail.example.com", sans: ["mail.example.com", "b@example.com"])
                    }),
            Refusal(name: "email SAN that the token does not list", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid email addresses - got [a@example.com], want []"),
                    body: request(commonName: "nomail.example.com", sans: ["nomail.example.com", "a@example.com"]) { ca in
                        try ca.token(subject: "nomail.example.com")
                    }),
            Refusal(name: "URI SAN mismatch", status: 403,
                    message: StepMessages.forbidden("certificate request does not contain the valid URIs - got [spiffe://example.com/a], want [spiffe://example.com/b]"),
                    body: request(commonName: "uri.example.com", sans: ["uri.example.com", "spiffe://example.com/a"]) { ca in
                        try ca.token(subject: "uri.example.com", sans: ["uri.example.com", "spiffe://example.com/b"])
                    }),
            Refusal(name: "notAfter beyond the 24h maximum", status: 403,
                    message: StepMessages.forbidden("requested duration of 25h1m0s is more than the authorized maximum certificate duration of 24h1m0s"),
                    body: request(notAfter: "25h", token: standardToken)),
            Refusal(name: "duration under the 5m minimum", status: 403,
                    message: StepMessages.forbidden("requested duration of 2m0s is less than the authorized minimum certificate duration of 5m0s"),
                    body: request(notAfter: "1m", token: standardToken)),
            Refusal(name: "notAfter that is neither a time nor a duration", status: 400,
                    message: StepMessages.badRequest("error decoding json"),
                    body: request(notAfter: "tomorrow", token: standardToken)),
            Refusal(name: "RSA 1024 CSR", status: 403,
                    message: StepMessages.forbidden("certificate request RSA key must be at least 2048 bits (256 bytes)"),
                    body: request(kind: .rsa1024, token: standardToken)),
        ]
    }

    @Test("refused /sign requests get step-ca's status and message, store nothing, and leave the CA healthy", arguments: Refusal.all)
    func refused(refusal: Refusal) throws {
        let ca = try LiveCA.get()
        let before = try certificateCount(ca)
        let response = try ca.send(.post("/1.0/sign", body: try refusal.body(ca)))
        let message = refusal.message ?? (refusal.status == 401 ? StepMessages.unauthorized : "")
        if let issue = refusal.knownIssue {
            #expect(response.status != 201, "\(response)")
            withKnownIssue(Comment(rawValue: issue)) {
                Expect.error(response, status: refusal.status, message: message)
            }
        } else {
            Expect.error(response, status: refusal.status, message: message)
        }
        #expect(try certificateCount(ca) == before)
        try Expect.healthy(ca)
    }

    /// step-ca's validity validator names the offending times (`na=%v`, Go's time format).
    @Test("notAfter in the past is 400 \"notAfter cannot be in the past; na=<time>\"")
    func notAfterInThePast() throws {
        let ca = try LiveCA.get()
        let past = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970) - 3600)
        let csr = try ca.makeCSR(.p256, commonName: "past.example.com")
        let response = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ca.token(subject: "past.example.com"),
                                                              notAfter: Encoding.rfc3339(past)))
        #expect(response.status == 400, "\(response)")
        #expect(response.text == StepMessages.body(
            status: 400, message: StepMessages.badRequest("notAfter cannot be in the past; na=\(Encoding.goTime(past))")))
        #expect(response.text.contains("notAfter cannot be in the past"))
        try Expect.healthy(ca)
    }

    @Test("notAfter before notBefore is 400 \"notAfter cannot be before notBefore; na=<time>, nb=<time>\"")
    func notAfterBeforeNotBefore() throws {
        let ca = try LiveCA.get()
        let now = floor(Date().timeIntervalSince1970)
        let start = Date(timeIntervalSince1970: now + 7200), end = Date(timeIntervalSince1970: now + 3600)
        let csr = try ca.makeCSR(.p256, commonName: "inverted.example.com")
        let response = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ca.token(subject: "inverted.example.com"),
                                                              notBefore: Encoding.rfc3339(start), notAfter: Encoding.rfc3339(end)))
        #expect(response.status == 400, "\(response)")
        #expect(response.text == StepMessages.body(status: 400, message: StepMessages.badRequest(
            "notAfter cannot be before notBefore; na=\(Encoding.goTime(end)), nb=\(Encoding.goTime(start))")))
        #expect(response.text.contains("notAfter cannot be before notBefore"))
    }

    @Test("a token is single-use: the second /sign with it is the generic 401 (the captured step-ca answer)")
    func replay() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "replay.example.com")
        let body = try JSONSerialization.data(withJSONObject: ca.signBody(csr: csr.pem, ott: ca.token(subject: "replay.example.com")))
        let first = try ca.send(.post("/1.0/sign", body: body))
        #expect(first.status == 201, "\(first)")
        let second = try ca.send(.post("/sign", body: body))
        Expect.unauthorized(second)
        #expect(second.text == Captures.body("POST /1.0/sign replaying the same token (error: token already used)"))
    }

    @Test("without a db in ca.json the CA still signs (in-memory records) and still refuses a replayed token")
    func signsWithoutDatabase() throws {
        let ca = try LiveCA(database: "null")
        defer { ca.stop() }
        #expect(ca.serverOutput.contains("in-memory store"), "\(ca.serverOutput)")
        let csr = try ca.makeCSR(.p256, commonName: "nodb.example.com")
        let body = try JSONSerialization.data(withJSONObject: ca.signBody(csr: csr.pem, ott: ca.token(subject: "nodb.example.com")))
        let first = try ca.send(.post("/1.0/sign", body: body))
        #expect(first.status == 201, "\(first)")
        let second = try ca.send(.post("/1.0/sign", body: body))
        Expect.unauthorized(second)
    }

    @Test("the same token sent eight times at once is honoured exactly once")
    func concurrentReplay() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "race.example.com")
        let body = try JSONSerialization.data(withJSONObject: ca.signBody(csr: csr.pem, ott: ca.token(subject: "race.example.com")))
        let responses = try ca.sendConcurrently(Array(repeating: .post("/1.0/sign", body: body), count: 8))
        #expect(responses.filter { $0.status == 201 }.count == 1, "\(responses.map(\.status))")
        #expect(responses.filter { $0.status == 401 }.count == 7, "\(responses.map(\.status))")
    }

    /// step-ca records the token as used while authorising it, before the CSR is checked
    /// (reference §2.1 step 4), so a token refused for its CSR is spent.
    @Test("a token refused for a CSR mismatch cannot be used again")
    func refusedTokenIsSpent() throws {
        let ca = try LiveCA.get()
        let ott = try ca.token(subject: "spent.example.com")
        let wrong = try ca.makeCSR(.p256, commonName: "other.example.com")
        let first = try ca.post("/1.0/sign", json: ca.signBody(csr: wrong.pem, ott: ott))
        #expect(first.status == 403, "\(first)")
        let right = try ca.makeCSR(.p256, commonName: "spent.example.com")
        let second = try ca.post("/1.0/sign", json: ca.signBody(csr: right.pem, ott: ott))
        Expect.unauthorized(second)
    }

    // MARK: Concurrency

    @Test("64 concurrent /sign requests with distinct tokens: 64 × 201, 64 distinct serials, 64 stored certificates and used tokens")
    func concurrentSigning() throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "parallel.example.com")
        var ids: [String] = []
        let calls: [HTTPCall] = try (0..<64).map { _ in
            let id = Encoding.randomHex(32)
            ids.append(id)
            let ott = try ca.token(subject: "parallel.example.com") { $0.id = id }
            return try .post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: ott))
        }
        let responses = try ca.sendConcurrently(calls)
        #expect(responses.filter { $0.status == 201 }.count == 64, "\(Dictionary(grouping: responses, by: \.status).mapValues(\.count))")
        let serials = try responses.compactMap { response -> String? in
            guard let crt = response.json?["crt"] as? String else { return nil }
            return Encoding.decimal(try Certificate(pemEncoded: crt).serialNumber.bytes)
        }
        #expect(serials.count == 64)
        #expect(Set(serials).count == 64)
        let serialList = serials.map { "'\($0)'" }.joined(separator: ",")
        #expect(try ca.sqlite("SELECT count(*) FROM x509_certs WHERE CAST(nkey AS TEXT) IN (\(serialList));") == "64")
        #expect(try ca.sqlite("SELECT count(*) FROM x509_certs_data WHERE CAST(nkey AS TEXT) IN (\(serialList));") == "64")
        let idList = ids.map { "'\($0)'" }.joined(separator: ",")
        #expect(try ca.sqlite("SELECT count(*) FROM used_ott WHERE CAST(nkey AS TEXT) IN (\(idList));") == "64")
        try Expect.healthy(ca)
    }

    @Test("after every refusal the CA still answers /health")
    func stillHealthy() throws {
        let ca = try LiveCA.get()
        try Expect.healthy(ca)
        #expect(try ca.get("/1.0/roots").status == 201)
    }
}

/// HMAC-SHA256, for the forged-HS256 token.
enum HMACSHA256 {
    static func mac(key: Data, message: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
