import Foundation
import Testing
import StepCrypto
import X509

/// POST /renew, /rekey and /revoke against the live CA, with mutual TLS (curl --cert/--key)
/// and with the x5cInsecure renew token.
@Suite("live API: renew, rekey, revoke", .serialized, .liveCA, .enabled(if: APITools.runnable))
struct APIRenewRevokeTests {
    static let intermediateSKI = APISignTests.intermediateSKI

    /// A leaf issued by a CA the server does not know, with clientAuth, made with openssl.
    func foreignIdentity(_ ca: LiveCA) throws -> (identity: ClientIdentity, certificatePEM: String, keyPEM: String) {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let base = ca.scratchPath("-foreign")
        func run(_ arguments: [String]) throws {
            let result = try Run.program(openssl, arguments)
            guard result.status == 0 else { throw APITestError("openssl \(arguments.first ?? ""): \(result.stderr)") }
        }
        try run(["req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-keyout", base + "-ca.key", "-out", base + "-ca.crt", "-subj", "/O=Anchor CA/CN=Anchor CA Intermediate CA",
                 "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try run(["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=foreign.example.com"])
        try "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:foreign.example.com\n"
            .write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try run(["x509", "-req", "-in", base + ".csr", "-CA", base + "-ca.crt", "-CAkey", base + "-ca.key", "-CAcreateserial",
                 "-days", "1", "-extfile", base + ".ext", "-out", base + ".crt"])
        return (ClientIdentity(certificatePath: base + ".crt", keyPath: base + ".key"),
                try String(contentsOfFile: base + ".crt", encoding: .utf8), try String(contentsOfFile: base + ".key", encoding: .utf8))
    }

    /// The parts of a certificate that renewal keeps.
    func expectSameIdentity(_ renewed: CertificateFacts, _ original: CertificateFacts, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(renewed.serial != original.serial, sourceLocation: sourceLocation)
        #expect(renewed.subject == original.subject, sourceLocation: sourceLocation)
        #expect(renewed.issuer == original.issuer, sourceLocation: sourceLocation)
        #expect(renewed.dnsNames == original.dnsNames, sourceLocation: sourceLocation)
        #expect(renewed.ipAddresses == original.ipAddresses, sourceLocation: sourceLocation)
        #expect(renewed.emailAddresses == original.emailAddresses, sourceLocation: sourceLocation)
        #expect(renewed.uris == original.uris, sourceLocation: sourceLocation)
        #expect(renewed.keyUsage == original.keyUsage, sourceLocation: sourceLocation)
        #expect(renewed.extendedKeyUsage == original.extendedKeyUsage, sourceLocation: sourceLocation)
        #expect(renewed.provisionerExtensionHex == original.provisionerExtensionHex, sourceLocation: sourceLocation)
        #expect(renewed.provisionerExtensionHex == APISignTests.expectedProvisionerExtension, sourceLocation: sourceLocation)
        #expect(renewed.authorityKeyIdentifier == Self.intermediateSKI, sourceLocation: sourceLocation)
        #expect(renewed.notAfter - renewed.notBefore == original.notAfter - original.notBefore, sourceLocation: sourceLocation)
        #expect(abs(Double(renewed.notBefore) - (Date().timeIntervalSince1970 - 60)) < 15, sourceLocation: sourceLocation)
        #expect(Set(renewed.extensionOIDs) == Set(original.extensionOIDs), sourceLocation: sourceLocation)
    }

    /// The renewed certificate is stored under its new serial with the old certificate's data.
    func expectStoredRenewal(_ ca: LiveCA, renewed: IssuedLeaf, original: IssuedLeaf, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try ca.stored("x509_certs", key: renewed.serial) == (try Encoding.der(fromPEM: renewed.leafPEM)), sourceLocation: sourceLocation)
        let originalData = try ca.storedText("x509_certs_data", key: original.serial)
        #expect(originalData == APISignTests.expectedRecord, sourceLocation: sourceLocation)
        #expect(try ca.storedText("x509_certs_data", key: renewed.serial) == originalData, sourceLocation: sourceLocation)
    }

    // MARK: Renew

    @Test("POST /renew over mutual TLS: 201, a new serial, the same subject, SANs, key and duration, AKI = intermediate SKI, data copied",
          arguments: ["/1.0/renew", "/renew", "/re-sign"])
    func renewMTLS(path: String) throws {
        let ca = try LiveCA.get()
        let name = "mtls\(path.replacingOccurrences(of: "/", with: "-")).example.com"
        let sans = [name, "10.9.8.7", "ops@example.com", "spiffe://example.com/renew"]
        let original = try ca.issue(.p256, commonName: name, sans: sans, notAfter: "2h")
        let response = try ca.send(.post(path, body: nil, client: original.identity))
        let renewed = try ca.leaf(from: response, commonName: name, keyPath: original.keyPath, keyPEM: original.keyPEM)
        #expect(renewed.serial != original.serial)
        #expect(response.json?["ca"] as? String == ca.intermediatePEM)
        #expect(renewed.chainPEMs == [renewed.leafPEM, ca.intermediatePEM])
        #expect(response.text.hasSuffix("," + APISignTests.tlsOptionsJSON + "}\n"))
        #expect(renewed.certificate.publicKey == original.certificate.publicKey)
        let verify = try ca.opensslVerify(renewed.leafPEM)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        if let old = try ca.inspect(original.leafPEM), let new = try ca.inspect(renewed.leafPEM) {
            expectSameIdentity(new, old)
            #expect(new.notAfter - new.notBefore == 2 * 3600 + 60)
            #expect(new.publicKeyDER == old.publicKeyDER)
            #expect(new.subjectKeyIdentifier == old.subjectKeyIdentifier)
        }
        try expectStoredRenewal(ca, renewed: renewed, original: original)
    }

    @Test("a renewed certificate can itself be renewed")
    func renewTwice() throws {
        let ca = try LiveCA.get()
        let first = try ca.issue(commonName: "chain-renew.example.com")
        let second = try ca.leaf(from: try ca.send(.post("/1.0/renew", body: nil, client: first.identity)),
                                 commonName: first.commonName, keyPath: first.keyPath, keyPEM: first.keyPEM)
        let third = try ca.leaf(from: try ca.send(.post("/1.0/renew", body: nil, client: second.identity)),
                                commonName: first.commonName, keyPath: first.keyPath, keyPEM: first.keyPEM)
        #expect(Set([first.serial, second.serial, third.serial]).count == 3)
        #expect(try ca.storedText("x509_certs_data", key: third.serial) == APISignTests.expectedRecord)
    }

    @Test("POST /renew without a client certificate is 400 \"missing client certificate\" (the captured answer)", arguments: ["/1.0/renew", "/renew"])
    func renewWithoutCertificate(path: String) throws {
        let ca = try LiveCA.get()
        let response = try ca.send(.post(path, body: nil))
        Expect.error(response, status: 400, message: StepMessages.badRequest("missing client certificate"))
        #expect(response.text == Captures.body("POST /1.0/renew without a client certificate"))
        // An Authorization header without "Bearer " is no token either.
        Expect.error(try ca.send(.post(path, body: nil, headers: ["Authorization": "Token abc"])),
                     status: 400, message: StepMessages.badRequest("missing client certificate"))
    }

    @Test("POST /renew with a client certificate from a foreign CA is refused (handshake failure or 400), never 201")
    func renewForeignCertificate() throws {
        let ca = try LiveCA.get()
        let foreign = try foreignIdentity(ca)
        let response = try ca.send(.post("/1.0/renew", body: nil, client: foreign.identity))
        #expect(response.status != 201, "\(response)")
        #expect(response.status == 0 || response.status == 400 || response.status == 401, "\(response)")
        try Expect.healthy(ca)
    }

    @Test("POST /renew with the x5cInsecure bearer token: 201; the same token again is 401")
    func renewWithToken() throws {
        let ca = try LiveCA.get()
        let original = try ca.issue(.p256, commonName: "token-renew.example.com", sans: ["token-renew.example.com", "10.1.1.1"])
        let token = try ca.renewToken(for: original)
        let response = try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(token)"]))
        let renewed = try ca.leaf(from: response, commonName: original.commonName, keyPath: original.keyPath, keyPEM: original.keyPEM)
        #expect(renewed.serial != original.serial)
        #expect(renewed.certificate.publicKey == original.certificate.publicKey)
        if let old = try ca.inspect(original.leafPEM), let new = try ca.inspect(renewed.leafPEM) {
            expectSameIdentity(new, old)
        }
        try expectStoredRenewal(ca, renewed: renewed, original: original)

        let again = try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(token)"]))
        Expect.unauthorized(again)
    }

    @Test("a renew token with the provisioner name as issuer, or on /renew without /1.0, is accepted")
    func renewTokenVariants() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "token-variants.example.com")
        let byName = try ca.renewToken(for: leaf) { $0.issuer = LiveCA.provisionerName }
        #expect(try ca.send(.post("/renew", body: nil, headers: ["Authorization": "Bearer \(byName)"])).status == 201)
        let shortAudience = try ca.renewToken(for: leaf) { $0.audience = ["\(ca.baseURL)/renew"] }
        #expect(try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(shortAudience)"])).status == 201)
    }

    /// Renew tokens step-ca refuses with the generic 401.
    @Test("invalid renew tokens are the generic 401", arguments: ["other key", "subject is not the CN", "wrong issuer", "expired",
                                                                   "not yet valid", "foreign chain", "no x5cInsecure", "garbage"])
    func invalidRenewToken(variant: String) throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "bad-renew-token.example.com")
        let token: String
        switch variant {
        case "other key": token = try ca.renewToken(for: leaf, key: try PrivateKeyMaterial.generate(.ecdsaP256))
        case "subject is not the CN": token = try ca.renewToken(for: leaf) { $0.subject = "someone-else.example.com" }
        case "wrong issuer": token = try ca.renewToken(for: leaf) { $0.issuer = "step-cli" }
        case "expired": token = try ca.renewToken(for: leaf) {
            $0.expiry = NumericDate(Date().addingTimeInterval(-180)); $0.notBefore = NumericDate(Date().addingTimeInterval(-600))
            $0.issuedAt = nil
        }
        case "not yet valid": token = try ca.renewToken(for: leaf) {
            $0.notBefore = NumericDate(Date().addingTimeInterval(600)); $0.expiry = NumericDate(Date().addingTimeInterval(900))
        }
        case "foreign chain":
            let foreign = try foreignIdentity(ca)
            let foreignLeaf = IssuedLeaf(response: leaf.response, leafPEM: foreign.certificatePEM, chainPEMs: [],
                                         certificate: try Certificate(pemEncoded: foreign.certificatePEM), serial: "",
                                         certificatePath: foreign.identity.certificatePath, keyPath: foreign.identity.keyPath,
                                         keyPEM: foreign.keyPEM, commonName: "foreign.example.com")
            token = try ca.renewToken(for: foreignLeaf)
        case "no x5cInsecure":
            token = try JWS.sign(claims: JWTClaims(issuer: "step-ca-client/1.0", subject: leaf.commonName,
                                                   audience: ["\(ca.baseURL)/1.0/renew"],
                                                   expiry: NumericDate(Date().addingTimeInterval(300)), notBefore: NumericDate(Date()),
                                                   issuedAt: NumericDate(Date()), id: Encoding.randomHex(32)),
                                 key: try PrivateKeyFile.read(pem: leaf.keyPEM, password: nil))
        default: token = "garbage"
        }
        let response = try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(token)"]))
        Expect.unauthorized(response)
    }

    /// Reference §1.4: renewal is refused (401) before the certificate's NotBefore. Over mTLS
    /// such a certificate fails the handshake, so the token is the way to ask.
    @Test("renewing a certificate that is not yet valid (token path) is the generic 401")
    func renewNotYetValid() throws {
        let ca = try LiveCA.get()
        let start = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970) + 1800)
        let leaf = try ca.issue(commonName: "future.example.com", notBefore: Encoding.rfc3339(start),
                                notAfter: Encoding.rfc3339(start.addingTimeInterval(3600)))
        let token = try ca.renewToken(for: leaf)
        Expect.unauthorized(try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(token)"])))
        #expect(try ca.send(.post("/1.0/renew", body: nil, client: leaf.identity)).status != 201)
    }

    /// Reference §1.4: an audience mismatch on the renew token surfaces as a 500 in step-ca.
    @Test("a renew token for another audience is step-ca's 500")
    func renewTokenWrongAudience() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "renew-audience.example.com")
        let token = try ca.renewToken(for: leaf) { $0.audience = ["\(ca.baseURL)/1.0/sign"] }
        Expect.error(try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer \(token)"])),
                     status: 500, message: StepMessages.internalError)
    }

    @Test("with a client certificate the Authorization header is ignored")
    func clientCertificateWins() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "both.example.com")
        let response = try ca.send(.post("/1.0/renew", body: nil, headers: ["Authorization": "Bearer garbage"], client: leaf.identity))
        #expect(response.status == 201, "\(response)")
    }

    // MARK: Rekey

    @Test("POST /rekey over mutual TLS with a new CSR: 201 with the new key, a new SKI, the same subject and SANs")
    func rekey() throws {
        let ca = try LiveCA.get()
        let name = "rekey.example.com"
        let original = try ca.issue(.p256, commonName: name, sans: [name, "10.2.2.2"])
        let csr = try ca.makeCSR(.p384, commonName: name)
        let response = try ca.post("/1.0/rekey", json: ["csr": csr.pem], client: original.identity)
        let rekeyed = try ca.leaf(from: response, commonName: name, keyPath: csr.keyPath, keyPEM: csr.keyPEM)
        let newKey = try PublicKeyMaterial(CertificateSigningRequest(derEncoded: Array(csr.der)).publicKey)
        #expect(try PublicKeyMaterial(rekeyed.certificate.publicKey) == newKey)
        #expect(rekeyed.certificate.publicKey != original.certificate.publicKey)
        #expect(rekeyed.chainPEMs == [rekeyed.leafPEM, ca.intermediatePEM])
        let verify = try ca.opensslVerify(rekeyed.leafPEM)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        if let old = try ca.inspect(original.leafPEM), let new = try ca.inspect(rekeyed.leafPEM) {
            expectSameIdentity(new, old)
            #expect(new.publicKeyDER == Encoding.hex(newKey.subjectPublicKeyInfoDER))
            #expect(new.subjectKeyIdentifier != old.subjectKeyIdentifier)
            #expect(new.subjectKeyIdentifier?.count == 40)
        }
        try expectStoredRenewal(ca, renewed: rekeyed, original: original)
        // The rekeyed certificate works as a client certificate with its new key.
        #expect(try ca.send(.post("/1.0/renew", body: nil, client: rekeyed.identity)).status == 201)
    }

    @Test("POST /rekey without a client certificate is 400 \"missing client certificate\"", arguments: ["/1.0/rekey", "/rekey"])
    func rekeyWithoutCertificate(path: String) throws {
        let ca = try LiveCA.get()
        let csr = try ca.makeCSR(.p256, commonName: "rekey-none.example.com")
        Expect.error(try ca.post(path, json: ["csr": csr.pem]), status: 400,
                     message: StepMessages.badRequest("missing client certificate"))
    }

    @Test("POST /rekey with a CSR whose signature is bad is 400 \"invalid csr\"")
    func rekeyTamperedCSR() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "rekey-bad.example.com")
        var der = try ca.makeCSR(.p256, commonName: "rekey-bad.example.com").der
        der[der.count - 1] ^= 0x01
        Expect.error(try ca.post("/1.0/rekey", json: ["csr": Encoding.pem(der, type: "CERTIFICATE REQUEST")], client: leaf.identity),
                     status: 400, message: StepMessages.badRequest("invalid csr"))
    }

    /// step-ca decodes `{}` into a request without a CSR and reports "missing csr".
    @Test("POST /rekey with {} is 400 \"missing csr\"")
    func rekeyMissingCSR() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "rekey-empty.example.com")
        let response = try ca.post("/1.0/rekey", raw: "{}", client: leaf.identity)
        #expect(response.status == 400, "\(response)")
        Expect.error(response, status: 400, message: StepMessages.badRequest("missing csr"))
        Expect.error(try ca.post("/1.0/rekey", raw: "nope", client: leaf.identity), status: 400,
                     message: StepMessages.badRequest("error decoding json"))
    }

    // MARK: Revoke

    func revokeBody(serial: String, ott: String?, reasonCode: Int = 4, reason: String = "superseded", passive: Bool = true) -> [String: Any] {
        var body: [String: Any] = ["serial": serial, "reasonCode": reasonCode, "reason": reason, "passive": passive]
        if let ott { body["ott"] = ott }
        return body
    }

    /// The `revoked_x509_certs` row: Go field names in Go's order.
    func revocationRecord(_ ca: LiveCA, serial: String) throws -> (text: String, json: [String: Any])? {
        guard let text = try ca.storedText("revoked_x509_certs", key: serial),
              let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return (text, json)
    }

    func expectFieldOrder(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let fields = ["Serial", "ProvisionerID", "ReasonCode", "Reason", "RevokedAt", "ExpiresAt", "TokenID", "MTLS", "ACME"]
        let positions = fields.map { text.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)", sourceLocation: sourceLocation)
        let present = positions.compactMap { $0 }
        #expect(present == present.sorted(), "\(text)", sourceLocation: sourceLocation)
    }

    @Test("POST /revoke with a revoke token (step-ca token --revoke) and passive: 200 {\"status\":\"ok\"} and a revoked_x509_certs row")
    func revokeWithToken() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-token.example.com")
        let ott = try ca.revokeTokenFromCommand(serial: leaf.serial)
        let jti = try JWS.parse(ott).unverifiedClaims().id
        let before = Date()
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: ott))
        #expect(response.status == 200, "\(response)")
        #expect(response.header("content-type") == "application/json")
        #expect(response.text == "{\"status\":\"ok\"}\n")
        #expect(response.text == Captures.body("POST /1.0/revoke (token, passive)"))

        let record = try #require(try revocationRecord(ca, serial: leaf.serial))
        expectFieldOrder(record.text)
        #expect(record.json["Serial"] as? String == leaf.serial)
        #expect(record.json["ProvisionerID"] as? String == LiveCA.provisionerID)
        #expect(record.json["ReasonCode"] as? Int == 4)
        #expect(record.json["Reason"] as? String == "superseded")
        #expect(record.json["TokenID"] as? String == jti)
        #expect(record.json["MTLS"] as? Bool == false)
        #expect(record.json["ACME"] as? Bool == false)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        func date(_ key: String) -> Date? {
            (record.json[key] as? String).flatMap { formatter.date(from: $0) ?? plain.date(from: $0) }
        }
        let revokedAt = try #require(date("RevokedAt"), "\(record.text)")
        #expect(revokedAt >= before.addingTimeInterval(-2) && revokedAt <= Date().addingTimeInterval(2))
        #expect(date("ExpiresAt") == leaf.certificate.notValidAfter)

        // Revoked: renewal over mTLS and with a token is refused.
        Expect.unauthorized(try ca.send(.post("/1.0/renew", body: nil, client: leaf.identity)))
        Expect.unauthorized(try ca.send(.post("/1.0/renew", body: nil,
                                              headers: ["Authorization": "Bearer \(try ca.renewToken(for: leaf))"])))

        // Again, with a fresh token: already revoked.
        let again = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: try ca.revokeTokenFromCommand(serial: leaf.serial)))
        Expect.error(again, status: 400, message: StepMessages.badRequest("certificate with serial number '\(leaf.serial)' is already revoked"))
        #expect(try revocationRecord(ca, serial: leaf.serial)?.text == record.text)
    }

    @Test("the revoke token is single-use")
    func revokeTokenReplay() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-replay.example.com")
        let ott = try ca.token(subject: leaf.serial, purpose: "revoke")
        let body = revokeBody(serial: leaf.serial, ott: ott)
        #expect(try ca.post("/1.0/revoke", json: body).status == 200)
        // The second use fails on the token or on the revocation; either way it is not 200.
        #expect(try ca.post("/revoke", json: body).status != 200)
    }

    @Test("passive false is the generic 501")
    func revokeNotPassive() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-active.example.com")
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: try ca.token(subject: leaf.serial, purpose: "revoke"),
                                                              passive: false))
        Expect.error(response, status: 501, message: StepMessages.notImplemented)
        #expect(try revocationRecord(ca, serial: leaf.serial) == nil)
    }

    @Test("a reasonCode outside 0...10 is 400 \"reasonCode out of bounds\"", arguments: [11, -1, 99])
    func revokeReasonOutOfBounds(code: Int) throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-reason.example.com")
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: try ca.token(subject: leaf.serial, purpose: "revoke"),
                                                              reasonCode: code))
        Expect.error(response, status: 400, message: StepMessages.badRequest("reasonCode out of bounds"))
        #expect(try revocationRecord(ca, serial: leaf.serial) == nil)
    }

    @Test("a revoke token whose subject is another serial is 403 and revokes nothing")
    func revokeTokenForAnotherSerial() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-other.example.com")
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: try ca.token(subject: "12345", purpose: "revoke")))
        #expect(response.status == 403, "\(response)")
        #expect(response.text.hasPrefix("{\"status\":403,\"message\":\"The request was forbidden by the certificate authority: "))
        #expect(try revocationRecord(ca, serial: leaf.serial) == nil)
    }

    @Test("a sign token cannot revoke")
    func signTokenCannotRevoke() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-signtoken.example.com")
        Expect.unauthorized(try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: try ca.token(subject: leaf.serial))))
        #expect(try revocationRecord(ca, serial: leaf.serial) == nil)
    }

    @Test("a serial in 0x hex is normalised to decimal")
    func revokeHexSerial() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-hex.example.com")
        let hex = "0x" + Encoding.hex(leaf.certificate.serialNumber.bytes)
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: hex, ott: try ca.token(subject: leaf.serial, purpose: "revoke")))
        #expect(response.status == 200, "\(response)")
        #expect(try revocationRecord(ca, serial: leaf.serial)?.json["Serial"] as? String == leaf.serial)
    }

    @Test("a serial that is not a number is 400 with step-ca's message")
    func revokeInvalidSerial() throws {
        let ca = try LiveCA.get()
        Expect.error(try ca.post("/1.0/revoke", json: revokeBody(serial: "xyz", ott: try ca.token(subject: "xyz", purpose: "revoke"))),
                     status: 400,
                     message: StepMessages.badRequest("'xyz' is not a valid serial number - use a base 10 representation or a base 16 representation with '0x' prefix"))
    }

    @Test("an empty serial is 400 \"missing serial\"")
    func revokeMissingSerial() throws {
        let ca = try LiveCA.get()
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: "", ott: try ca.token(subject: "1", purpose: "revoke")))
        #expect(response.status == 400, "\(response)")
        Expect.error(response, status: 400, message: StepMessages.badRequest("missing serial"))
    }

    @Test("without ott or client certificate revoke is 400 \"missing ott or client certificate\"")
    func revokeWithoutCredentials() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-nothing.example.com")
        Expect.error(try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: nil)),
                     status: 400, message: StepMessages.badRequest("missing ott or client certificate"))
    }

    @Test("POST /revoke over mutual TLS for the certificate's own serial: 200, then renewing it over mTLS is 401")
    func revokeMTLS() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-mtls.example.com")
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: leaf.serial, ott: nil, reasonCode: 1, reason: "key compromise"),
                                   client: leaf.identity)
        #expect(response.status == 200, "\(response)")
        #expect(response.text == "{\"status\":\"ok\"}\n")
        let record = try #require(try revocationRecord(ca, serial: leaf.serial))
        expectFieldOrder(record.text)
        #expect(record.json["MTLS"] as? Bool == true)
        #expect(record.json["TokenID"] as? String == "")
        #expect(record.json["ReasonCode"] as? Int == 1)
        #expect(record.json["ProvisionerID"] as? String == LiveCA.provisionerID)

        Expect.unauthorized(try ca.send(.post("/1.0/renew", body: nil, client: leaf.identity)))
        Expect.unauthorized(try ca.post("/1.0/rekey", json: ["csr": try ca.makeCSR(.p256, commonName: leaf.commonName).pem],
                                        client: leaf.identity))
    }

    /// The step CLI speaks HTTP/1.1 for renew and revoke: the client certificate must be seen on
    /// such a connection as on an HTTP/2 stream.
    @Test("mutual TLS over an HTTP/1.1 connection: /renew is 201 with a new serial, /revoke is 200, renewing again is 401")
    func mutualTLSOverHTTP1() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "mtls-http1.example.com")
        var renew = HTTPCall.post("/1.0/renew", body: nil, client: leaf.identity)
        renew.http1Only = true
        let renewed = try ca.leaf(from: try ca.send(renew), commonName: leaf.commonName, keyPath: leaf.keyPath, keyPEM: leaf.keyPEM)
        #expect(renewed.serial != leaf.serial)

        let body = try JSONSerialization.data(withJSONObject: revokeBody(serial: leaf.serial, ott: nil, reasonCode: 1, reason: "key compromise"))
        var revoke = HTTPCall.post("/1.0/revoke", body: body, client: leaf.identity)
        revoke.http1Only = true
        let revoked = try ca.send(revoke)
        #expect(revoked.status == 200, "\(revoked)")
        #expect(try revocationRecord(ca, serial: leaf.serial)?.json["MTLS"] as? Bool == true)
        Expect.unauthorized(try ca.send(renew))
    }

    /// step-ca's api/revoke.go: `errs.BadRequest("serial number in client certificate different than body")`.
    @Test("revoking another serial over mutual TLS is 400 \"serial number in client certificate different than body\"")
    func revokeMTLSOtherSerial() throws {
        let ca = try LiveCA.get()
        let leaf = try ca.issue(commonName: "revoke-mtls-own.example.com")
        let victim = try ca.issue(commonName: "revoke-mtls-victim.example.com")
        let response = try ca.post("/1.0/revoke", json: revokeBody(serial: victim.serial, ott: nil), client: leaf.identity)
        #expect(response.status != 200, "\(response)")
        Expect.error(response, status: 400, message: StepMessages.badRequest("serial number in client certificate different than body"))
        #expect(try revocationRecord(ca, serial: victim.serial) == nil)
    }
}
