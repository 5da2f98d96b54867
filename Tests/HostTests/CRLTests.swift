import Foundation
import Testing

/// CRL generation and serving (reference §8) and the plain-HTTP `insecureAddress` listener
/// (§1.1) against a live CA; every CRL is read by `openssl crl` and Python's `cryptography`.
@Suite("live API: CRL", .serialized, .enabled(if: APITools.runnable))
struct CRLTests {
    static let intermediateSKI = APISignTests.intermediateSKI
    static let crlNumberOID = "2.5.29.20"
    static let akiOID = "2.5.29.35"
    static let idpOID = "2.5.29.28"
    static let reasonCodeOID = "2.5.29.21"
    static let ecdsaWithSHA256 = "1.2.840.10045.4.3.2"

    /// A CA with CRLs on, regenerated on each revocation, a two-hour lifetime, a renewal period
    /// long enough not to tick during the test, and a plain-HTTP listener on a free port.
    static func crlCA(_ crl: [String: Any] = ["enabled": true, "generateOnRevoke": true, "cacheDuration": "2h",
                                               "renewPeriod": "90m"]) throws -> LiveCA {
        try LiveCA(adjust: CRLLive.editing { config in
            config["crl"] = crl
            config["insecureAddress"] = "127.0.0.1:0"
        })
    }

    /// Revokes `serial` with a revoke token.
    func revoke(_ ca: LiveCA, serial: String, reasonCode: Int, reason: String) throws {
        let body: [String: Any] = ["serial": serial, "ott": try ca.token(subject: serial, purpose: "revoke"),
                                   "reasonCode": reasonCode, "reason": reason, "passive": true]
        let response = try ca.post("/1.0/revoke", json: body)
        #expect(response.status == 200, "\(response)")
    }

    /// The DER answer of a CRL route, with step-ca's headers checked.
    func expectDER(_ response: HTTPResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 200, "\(response)", sourceLocation: sourceLocation)
        #expect(response.header("content-type") == "application/pkix-crl", sourceLocation: sourceLocation)
        #expect(response.header("content-disposition") == "attachment; filename=\"crl.crl\"", sourceLocation: sourceLocation)
    }

    /// The PEM answer: `X509 CRL` block of the same DER.
    func expectPEM(_ response: HTTPResult, der: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == 200, "\(response)", sourceLocation: sourceLocation)
        #expect(response.header("content-type") == "application/x-pem-file", sourceLocation: sourceLocation)
        #expect(response.header("content-disposition") == "attachment; filename=\"crl.pem\"", sourceLocation: sourceLocation)
        #expect(response.text == Encoding.pem(der, type: "X509 CRL"), sourceLocation: sourceLocation)
    }

    /// The checks every CRL of the CA must pass: signed by the intermediate, issuer = its
    /// subject, AKI = its SKI, CRLNumber, the critical IDP with only the full name.
    func expectWellFormed(_ ca: LiveCA, der: Data, number: Int, cacheSeconds: Int,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> CRLFacts? {
        let verify = try CRLInspector.opensslVerify(der: der, issuerPEMPath: ca.intermediatePath, scratch: ca.scratchPath(""))
        #expect(verify.ok, "\(verify.output)", sourceLocation: sourceLocation)
        let text = try CRLInspector.opensslText(der: der, scratch: ca.scratchPath(""))
        #expect(text.contains("Version 2 (0x1)"), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("X509v3 CRL Number: \n                \(number)\n"), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains("X509v3 Issuing Distribution Point: critical\n                Full Name:\n                  URI:https://localhost/1.0/crl\n"),
                "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("Only User Certificates"), sourceLocation: sourceLocation)
        guard let facts = try CRLInspector.inspect(der: der, issuerPEMPath: ca.intermediatePath, scratch: ca.scratchPath("")) else {
            return nil
        }
        #expect(facts.signatureValid, sourceLocation: sourceLocation)
        #expect(facts.issuerMatches, sourceLocation: sourceLocation)
        #expect(facts.signatureOID == Self.ecdsaWithSHA256, sourceLocation: sourceLocation)
        #expect(facts.number == number, sourceLocation: sourceLocation)
        #expect(facts.extensionOIDs == [Self.akiOID, Self.crlNumberOID, Self.idpOID], sourceLocation: sourceLocation)
        #expect(facts.isCritical(Self.idpOID) == true, sourceLocation: sourceLocation)
        #expect(facts.isCritical(Self.akiOID) == false && facts.isCritical(Self.crlNumberOID) == false, sourceLocation: sourceLocation)
        #expect(facts.authorityKeyIdentifier == Self.intermediateSKI, sourceLocation: sourceLocation)
        #expect(facts.distributionPointURIs == ["https://localhost/1.0/crl"], sourceLocation: sourceLocation)
        #expect(!facts.idpFlags.values.contains(true), "\(facts.idpFlags)", sourceLocation: sourceLocation)
        #expect(facts.nextUpdate - facts.thisUpdate == cacheSeconds, sourceLocation: sourceLocation)
        #expect(abs(Double(facts.thisUpdate) - Date().timeIntervalSince1970) < 120, sourceLocation: sourceLocation)
        return facts
    }

    /// The stored record is step-ca's JSON (Go field order) and its DER is the one served.
    func expectStored(_ ca: LiveCA, der: Data, number: Int, facts: CRLFacts?, cacheSeconds: Int,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let stored = try #require(try CRLLive.storedRecord(ca), sourceLocation: sourceLocation)
        let pattern = #"^\{"Number":\d+,"ExpiresAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","Duration":\d+,"DER":"[A-Za-z0-9+/=]+"\}$"#
        #expect(stored.text.range(of: pattern, options: .regularExpression) != nil, "\(stored.text)", sourceLocation: sourceLocation)
        #expect(stored.json["Number"] as? Int == number, sourceLocation: sourceLocation)
        #expect(stored.json["Duration"] as? Int == cacheSeconds * 1_000_000_000, sourceLocation: sourceLocation)
        #expect((stored.json["DER"] as? String).flatMap { Data(base64Encoded: $0) } == der, sourceLocation: sourceLocation)
        if let facts {
            #expect(stored.json["ExpiresAt"] as? String == Encoding.rfc3339(Date(timeIntervalSince1970: TimeInterval(facts.nextUpdate))),
                    sourceLocation: sourceLocation)
        }
    }

    @Test("crl.enabled: CRL 0 at start; two revocations regenerate it with both entries and their reasons; HTTPS and plain HTTP serve the stored DER; PEM with ?pem")
    func lifecycle() throws {
        let ca = try Self.crlCA()
        defer { ca.stop() }
        let httpPort = try CRLLive.insecurePort(ca)

        // At start: number 0, no entries.
        let first = try ca.get("/crl")
        expectDER(first)
        let firstFacts = try expectWellFormed(ca, der: first.body, number: 0, cacheSeconds: 7200)
        #expect(firstFacts?.entries.isEmpty == true)
        #expect(try CRLInspector.opensslText(der: first.body, scratch: ca.scratchPath("")).contains("No Revoked Certificates."))
        try expectStored(ca, der: first.body, number: 0, facts: firstFacts, cacheSeconds: 7200)
        if let firstFacts { #expect(first.header("expires") == CRLLive.rfc1123(firstFacts.nextUpdate)) }

        // Two revocations: key compromise (1) and unspecified (0).
        let compromised = try ca.issue(commonName: "crl-compromised.example.com")
        let unspecified = try ca.issue(commonName: "crl-unspecified.example.com")
        let before = Int(Date().timeIntervalSince1970)
        try revoke(ca, serial: compromised.serial, reasonCode: 1, reason: "key compromise")
        try revoke(ca, serial: unspecified.serial, reasonCode: 0, reason: "")
        let after = Int(Date().timeIntervalSince1970)

        let https = try ca.get("/1.0/crl")
        expectDER(https)
        let plain = try CRLLive.send(ca, port: httpPort, "/crl")
        expectDER(plain)
        let plainVersioned = try CRLLive.send(ca, port: httpPort, "/1.0/crl")
        expectDER(plainVersioned)
        #expect(plain.body == https.body && plainVersioned.body == https.body)
        #expect(plain.header("expires") == https.header("expires"))

        let facts = try expectWellFormed(ca, der: https.body, number: 2, cacheSeconds: 7200)
        try expectStored(ca, der: https.body, number: 2, facts: facts, cacheSeconds: 7200)
        if let facts {
            #expect(https.header("expires") == CRLLive.rfc1123(facts.nextUpdate))
            let bySerial = Dictionary(uniqueKeysWithValues: facts.entries.map { ($0.serial, $0) })
            #expect(bySerial.count == 2)
            let keyCompromise = try #require(bySerial[compromised.serial])
            #expect(keyCompromise.reason == "key_compromise")
            #expect(keyCompromise.extensionOIDs == [Self.reasonCodeOID])
            let plainEntry = try #require(bySerial[unspecified.serial])
            #expect(plainEntry.reason == nil)
            #expect(plainEntry.extensionOIDs.isEmpty)
            for entry in facts.entries { #expect((before - 1)...(after + 1) ~= entry.revokedAt) }
        }
        let text = try CRLInspector.opensslText(der: https.body, scratch: ca.scratchPath(""))
        #expect(text.contains("X509v3 CRL Reason Code: \n                Key Compromise"), "\(text)")
        #expect(text.components(separatedBy: "X509v3 CRL Reason Code").count == 2, "\(text)")

        // PEM on both listeners, with any `pem` query key.
        try expectPEM(try ca.get("/crl?pem"), der: https.body)
        try expectPEM(try ca.get("/1.0/crl?pem=0"), der: https.body)
        try expectPEM(try CRLLive.send(ca, port: httpPort, "/crl?x=1&pem"), der: https.body)
        expectDER(try ca.get("/crl?pemx=1"))
    }

    @Test("the plain-HTTP listener serves only the CRL routes: 404 for the rest, 405 for another method, HEAD answered")
    func insecureListenerRoutes() throws {
        let ca = try Self.crlCA()
        defer { ca.stop() }
        let port = try CRLLive.insecurePort(ca)
        #expect(ca.serverOutput.range(of: #"Serving HTTP on 127\.0\.0\.1:\d+ \.\.\."#, options: .regularExpression) != nil)
        for path in ["/roots", "/health", "/1.0/health", "/version", "/provisioners", "/roots.pem", "/crl/", "/2.0/crl"] {
            let response = try CRLLive.send(ca, port: port, path)
            #expect(response.status == 404, "\(path): \(response)")
            #expect(response.text == "404 page not found\n", "\(path)")
            #expect(response.header("content-type") == "text/plain; charset=utf-8", "\(path)")
        }
        let post = try CRLLive.send(ca, port: port, "/crl", method: "POST")
        #expect(post.status == 405, "\(post)")
        let head = try CRLLive.send(ca, port: port, "/crl", method: "HEAD")
        #expect(head.status == 200, "\(head)")
        #expect(head.header("content-type") == "application/pkix-crl")
        // The HTTPS listener still serves everything.
        try Expect.healthy(ca)
    }

    @Test("CRLs disabled: GET /crl is step-ca's 404 with the unexpected-status message, and no plain-HTTP listener starts")
    func disabled() throws {
        let ca = try LiveCA(adjust: CRLLive.editing { config in config["insecureAddress"] = "127.0.0.1:0" })
        defer { ca.stop() }
        let message = "The certificate authority received an unexpected HTTP status code - '404'. Please see the certificate authority logs for more info."
        Expect.error(try ca.get("/crl"), status: 404, message: message)
        Expect.error(try ca.get("/1.0/crl?pem"), status: 404, message: message)
        try Expect.healthy(ca)
        #expect(!ca.serverOutput.contains("Serving HTTP on"), "\(ca.serverOutput)")
        #expect(try ca.storedText("x509_crl", key: "crl") == nil)
    }

    @Test("crl.enabled without a database: start-up fails naming ca.json and crl.enabled")
    func withoutDatabase() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try LiveCA.fixtureStepPath(in: directory, sortedConfig: false, adjust: CRLLive.editing { config in
            config["db"] = nil
            config["crl"] = ["enabled": true]
        })
        let result = try Run.program(TestEnvironment.stepCA,
                                     [stepPath.appendingPathComponent("config/ca.json").path, "--password-file",
                                      TestEnvironment.fixtures.appendingPathComponent("password.txt").path],
                                     environment: ["STEPPATH": stepPath.path], timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("ca.json: crl.enabled:"), "\(result.stderr)")
        #expect(result.stderr.contains("database"), "\(result.stderr)")
        #expect(!result.stderr.contains("Serving"))
    }

    @Test("renewPeriod: the CRL is regenerated on schedule, each time with the next number")
    func periodicRenewal() throws {
        let ca = try Self.crlCA(["enabled": true, "cacheDuration": "1h", "renewPeriod": "1s"])
        defer { ca.stop() }
        let deadline = Date().addingTimeInterval(20)
        var number = 0
        while number < 3 && Date() < deadline {
            usleep(200_000)
            number = try CRLLive.storedRecord(ca)?.json["Number"] as? Int ?? 0
        }
        #expect(number >= 3, "\(ca.serverOutput)")
        #expect(ca.serverOutput.contains("Regenerating CRL"))
        let served = try ca.get("/crl")
        expectDER(served)
        if let facts = try CRLInspector.inspect(der: served.body, issuerPEMPath: ca.intermediatePath, scratch: ca.scratchPath("")) {
            let servedNumber = facts.number ?? -1
            #expect(servedNumber >= 3)
            _ = try expectWellFormed(ca, der: served.body, number: servedNumber, cacheSeconds: 3600)
        }
    }

    @Test("without generateOnRevoke a revocation waits for the next generation")
    func revocationWithoutRegeneration() throws {
        let ca = try Self.crlCA(["enabled": true, "cacheDuration": "2h", "renewPeriod": "90m"])
        defer { ca.stop() }
        let leaf = try ca.issue(commonName: "crl-later.example.com")
        try revoke(ca, serial: leaf.serial, reasonCode: 4, reason: "superseded")
        let served = try ca.get("/crl")
        expectDER(served)
        let facts = try expectWellFormed(ca, der: served.body, number: 0, cacheSeconds: 7200)
        #expect(facts?.entries.isEmpty == true)
    }
}
