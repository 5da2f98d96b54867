import Foundation
import Testing
import StepCrypto

/// The read-only routes of the live CA, compared with the real step-ca 0.19 answers where they
/// were captured (Tests/Fixtures/step-ca-0.19/http-examples.txt).
@Suite("live API: read routes", .serialized, .liveCA, .enabled(if: APITools.runnable))
struct APIReadRoutesTests {
    /// A read route, its expected status and content type, and the capture its body must equal.
    struct Route: Sendable, CustomTestStringConvertible {
        let path: String
        let status: Int
        let contentType: String
        let capture: String?

        var testDescription: String { path }

        static let all: [Route] = [
            Route(path: "/health", status: 200, contentType: "application/json", capture: "GET /health"),
            Route(path: "/roots", status: 201, contentType: "application/json", capture: "GET /roots (JSON)"),
            Route(path: "/roots.pem", status: 200, contentType: "application/x-pem-file", capture: "GET /roots.pem"),
            Route(path: "/root/\(LiveCA.rootFingerprint)", status: 200, contentType: "application/json",
                  capture: "GET /root/<sha256 of root DER>"),
            Route(path: "/root/" + String(repeating: "0", count: 64), status: 404, contentType: "application/json",
                  capture: "GET /root/<unknown sha> (error)"),
            Route(path: "/federation", status: 201, contentType: "application/json", capture: "GET /federation"),
            Route(path: "/provisioners", status: 200, contentType: "application/json", capture: "GET /provisioners"),
            Route(path: "/provisioners?limit=1", status: 200, contentType: "application/json", capture: "GET /provisioners?limit=1"),
            Route(path: "/provisioners/\(LiveCA.provisionerKID)/encrypted-key", status: 200, contentType: "application/json",
                  capture: "GET /provisioners/<kid>/encrypted-key"),
            Route(path: "/intermediates", status: 201, contentType: "application/json", capture: nil),
            Route(path: "/intermediates.pem", status: 200, contentType: "application/x-pem-file", capture: nil),
            Route(path: "/version", status: 200, contentType: "application/json", capture: nil),
        ]
    }

    /// Every route at `/` and under `/1.0`.
    static let routes: [(String, Route)] = ["", "/1.0"].flatMap { prefix in Route.all.map { (prefix, $0) } }

    @Test("read routes answer with step-ca's status, content type and body", arguments: routes)
    func readRoute(prefix: String, route: Route) throws {
        let ca = try LiveCA.get()
        let response = try ca.get(prefix + route.path)
        #expect(response.status == route.status, "\(response)")
        #expect(response.header("content-type") == route.contentType, "\(response.headers)")
        if let title = route.capture {
            let expected = try #require(Captures.body(title), "no capture titled \(title)")
            #expect(response.text == expected)
        }
    }

    @Test("/roots and /roots.pem carry exactly the fixture root; /federation is the roots (no federated roots)")
    func rootsAreTheFixtureRoot() throws {
        let ca = try LiveCA.get()
        let roots = try ca.get("/roots")
        #expect(roots.status == 201)
        #expect(roots.json?["crts"] as? [String] == [ca.rootPEM])
        #expect(try ca.get("/roots.pem").text == ca.rootPEM)
        #expect(try ca.get("/federation").json?["crts"] as? [String] == [ca.rootPEM])
        let root = try ca.get("/root/\(LiveCA.rootFingerprint)")
        #expect(root.json?["ca"] as? String == ca.rootPEM)
    }

    @Test("/root/{sha} ignores case and dashes in the fingerprint")
    func rootFingerprintNormalised() throws {
        let ca = try LiveCA.get()
        var dashed = LiveCA.rootFingerprint.uppercased()
        dashed.insert("-", at: dashed.index(dashed.startIndex, offsetBy: 8))
        let response = try ca.get("/root/\(dashed)")
        #expect(response.status == 200, "\(response)")
        #expect(response.json?["ca"] as? String == ca.rootPEM)
    }

    @Test("/intermediates and /intermediates.pem carry exactly the fixture intermediate")
    func intermediates() throws {
        let ca = try LiveCA.get()
        let json = try ca.get("/intermediates")
        #expect(json.status == 201)
        #expect(json.text == "{\"crts\":[\(StepMessages.goQuoted(ca.intermediatePEM))]}\n")
        let pem = try ca.get("/intermediates.pem")
        #expect(pem.status == 200)
        #expect(pem.text == ca.intermediatePEM)
    }

    @Test("/version is {\"version\": ...} without requireClientAuthentication")
    func version() throws {
        let ca = try LiveCA.get()
        let response = try ca.get("/version")
        let json = try #require(response.json)
        #expect(Set(json.keys) == ["version"])
        #expect((json["version"] as? String)?.isEmpty == false)
    }

    @Test("/provisioners lists the fixture JWK provisioner with nextCursor \"\" for every limit", arguments: ["", "?limit=1", "?limit=0", "?limit=100", "?limit=500"])
    func provisionersLimits(query: String) throws {
        let ca = try LiveCA.get()
        let response = try ca.get("/provisioners" + query)
        #expect(response.status == 200, "\(response)")
        let json = try #require(response.json)
        #expect(json["nextCursor"] as? String == "")
        let list = try #require(json["provisioners"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["name"] as? String == LiveCA.provisionerName)
        #expect(list.first?["type"] as? String == "JWK")
        #expect((list.first?["key"] as? [String: Any])?["kid"] as? String == LiveCA.provisionerKID)
    }

    /// step-ca marshals its provisioner structs (Go field order: type, name, key{use, kty, kid,
    /// crv, alg, x, y}, encryptedKey), whatever the order of the members in ca.json.
    @Test("/provisioners is encoded in step-ca's field order even when ca.json orders the members differently")
    func provisionersListingOrder() throws {
        let ca = try LiveCA(sortedConfig: true)
        defer { ca.stop() }
        let response = try ca.get("/provisioners")
        #expect(response.status == 200, "\(response)")
        let listed = try #require(response.json?["provisioners"] as? [[String: Any]])
        #expect(listed.first?["name"] as? String == LiveCA.provisionerName)
        #expect(response.text == Captures.body("GET /provisioners"))
    }

    @Test("/provisioners?limit=x is 400 \"limit 'x' is not an integer\"", arguments: ["", "/1.0"])
    func provisionersBadLimit(prefix: String) throws {
        let ca = try LiveCA.get()
        Expect.error(try ca.get(prefix + "/provisioners?limit=x"), status: 400,
                     message: StepMessages.badRequest("limit 'x' is not an integer"))
    }

    @Test("/provisioners/{kid}/encrypted-key for an unknown kid is the generic 404", arguments: ["", "/1.0"])
    func encryptedKeyUnknown(prefix: String) throws {
        let ca = try LiveCA.get()
        Expect.error(try ca.get(prefix + "/provisioners/no-such-kid/encrypted-key"), status: 404, message: StepMessages.notFound)
    }

    @Test("the encrypted key decrypts with the fixture password to the provisioner's key")
    func encryptedKeyDecrypts() throws {
        let ca = try LiveCA.get()
        let key = try #require(try ca.get("/provisioners/\(LiveCA.provisionerKID)/encrypted-key").json?["key"] as? String)
        let password = try String(contentsOfFile: ca.passwordPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let decrypted = try JWE.decryptJWK(compact: key, password: Data(password.utf8)).privateKeyMaterial()
        #expect(decrypted.publicKey.subjectPublicKeyInfoDER == ca.provisionerKey.publicKey.subjectPublicKeyInfoDER)
    }

    @Test("GET on a POST route is 405 with an empty body", arguments: ["/sign", "/1.0/sign", "/renew", "/1.0/renew", "/rekey", "/revoke", "/1.0/revoke"])
    func wrongMethod(path: String) throws {
        let ca = try LiveCA.get()
        let response = try ca.get(path)
        #expect(response.status == 405, "\(response)")
        #expect(response.body.isEmpty)
        if path == "/1.0/sign" {
            #expect(Captures.body("GET /1.0/sign (wrong method)") == "")
        }
    }

    @Test("POST on a GET route is 405 with an empty body", arguments: ["/health", "/1.0/roots", "/provisioners"])
    func postOnReadRoute(path: String) throws {
        let ca = try LiveCA.get()
        let response = try ca.post(path, raw: "{}")
        #expect(response.status == 405, "\(response)")
        #expect(response.body.isEmpty)
    }

    @Test("unknown paths are chi's plain-text 404", arguments: ["/nonexistent", "/1.0/nonexistent", "/health/", "/1.0", "/2.0/health", "/root/", "/provisioners/kid/encrypted-key/x"])
    func unknownPath(path: String) throws {
        let ca = try LiveCA.get()
        let response = try ca.get(path)
        #expect(response.status == 404, "\(response)")
        #expect(response.header("content-type") == "text/plain; charset=utf-8")
        #expect(response.header("x-content-type-options") == "nosniff")
        #expect(response.text == "404 page not found\n")
        #expect(response.text == Captures.body("GET /nonexistent"))
    }

    @Test("HEAD answers like GET")
    func head() throws {
        let ca = try LiveCA.get()
        let response = try ca.send(HTTPCall(method: "HEAD", path: "/health"))
        #expect(response.status == 200, "\(response)")
    }

    @Test("X-Request-Id is echoed when sent, taken from X-Smallstep-Id otherwise, else generated")
    func requestID() throws {
        let ca = try LiveCA.get()
        #expect(try ca.get("/health", headers: ["X-Request-Id": "req-42"]).header("x-request-id") == "req-42")
        #expect(try ca.get("/nonexistent", headers: ["X-Request-Id": "req-43"]).header("x-request-id") == "req-43")
        #expect(try ca.post("/1.0/sign", raw: "{}", headers: ["X-Request-Id": "req-44"]).header("x-request-id") == "req-44")
        #expect(try ca.get("/health", headers: ["X-Smallstep-Id": "legacy-7"]).header("x-request-id") == "legacy-7")
        let generated = try #require(try ca.get("/health").header("x-request-id"))
        #expect(!generated.isEmpty)
        #expect(try ca.get("/health").header("x-request-id") != generated)
    }
}

