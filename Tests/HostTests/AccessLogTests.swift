import Crypto
import _CryptoExtras
import Foundation
import Testing
import Hummingbird
import X509
@testable import Host

/// The access log line against step-ca 0.19's own log (`step-ca-log-sample.txt`).
@Suite("Access log lines")
struct AccessLogTests {
    static func sampleLines() throws -> [String] {
        let text = try String(contentsOf: TestEnvironment.fixtures.appendingPathComponent("step-ca-log-sample.txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("time=") }
    }

    static func entry(_ time: String, durationNanoseconds: Int64, path: String, protocol httpProtocol: String, requestID: String,
                      size: Int, status: Int = 200, userAgent: String, method: String = "GET",
                      fields: [(String, String)] = []) -> AccessLog.Entry {
        AccessLog.Entry(time: time, status: status, durationNanoseconds: durationNanoseconds, method: method, path: path,
                        httpProtocol: httpProtocol, requestID: requestID, size: size, userAgent: userAgent, referer: "",
                        remoteAddress: "127.0.0.1", fields: fields)
    }

    @Test("/health lines are step-ca's, byte for byte: field order, µs quoted, empty values bare")
    func healthLines() throws {
        let lines = try Self.sampleLines()
        let log = AccessLog(format: "text")
        #expect(log.line(Self.entry("2026-11-29T04:37:21Z", durationNanoseconds: 85877, path: "/health", protocol: "HTTP/2.0",
                                    requestID: "dc5qo0dqmd2qpbo9sofg", size: 16, userAgent: "curl/7.88.1")) == lines[0])
        #expect(log.line(Self.entry("2026-11-29T04:38:12Z", durationNanoseconds: 26740, path: "/health", protocol: "HTTP/1.1",
                                    requestID: "dc5qod5qmd2qpbo9sog0", size: 16, userAgent: "Go-http-client/1.1")) == lines[1])
    }

    @Test("a /sign line is step-ca's without the two fields kept out of our log: the token and the certificate")
    func signLine() throws {
        var expected = try Self.sampleLines()[2]
        for pattern in [#" certificate="[^"]*""#, #" ott=[^ ]*"#] {
            let range = try #require(expected.range(of: pattern, options: .regularExpression))
            expected.removeSubrange(range)
        }
        let entry = Self.entry("2026-11-29T04:38:12Z", durationNanoseconds: 2_453_159, path: "/1.0/sign", protocol: "HTTP/1.1",
                               requestID: "dc5qod5qmd2qpbo9sogg", size: 3349, status: 201, userAgent: "Go-http-client/1.1",
                               method: "POST", fields: [
                                ("issuer", "Anchor CA Intermediate CA"),
                                ("public-key", "ECDSA P-256"),
                                ("provisioner", "anchor@example.com (MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE)"),
                                ("serial", "46057023365109592823421085204112173891"),
                                ("subject", "lg-0-c46f1c.example.com"),
                                ("valid-from", "2026-11-29T04:37:12Z"),
                                ("valid-to", "2026-11-30T04:38:12Z"),
                               ])
        #expect(AccessLog(format: "text").line(entry) == expected)
    }

    @Test("levels follow the status; JSON has every key sorted, with msg and fields.time")
    func levelsAndJSON() throws {
        let log = AccessLog(format: "text")
        func level(_ status: Int) -> Bool {
            log.line(Self.entry("t", durationNanoseconds: 1, path: "/", protocol: "HTTP/1.1", requestID: "r", size: 0, status: status,
                                userAgent: "")).hasPrefix("time=t level=\(status >= 500 ? "error" : status >= 400 ? "warning" : "info") ")
        }
        #expect(level(201) && level(404) && level(500))
        let json = AccessLog(format: "json").line(Self.entry("2026-11-29T04:38:12Z", durationNanoseconds: 26740, path: "/health",
                                                              protocol: "HTTP/1.1", requestID: "r1", size: 16, status: 400,
                                                              userAgent: "ua", fields: [("error", "bad \"token\"")]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(object["level"] == "warning" && object["msg"] == "" && object["error"] == "bad \"token\"")
        #expect(object["time"] == "2026-11-29T04:38:12Z" && object["fields.time"] == "2026-11-29T04:38:12Z")
        #expect(object["duration"] == "26.74µs" && object["user-id"] == "" && object["remote-address"] == "127.0.0.1")
        let keys = json.matches(of: try Regex(#""([a-z.-]+)":"#)).compactMap { $0.output[1].substring.map(String.init) }
        #expect(keys == keys.sorted() && keys.count == object.count, "\(keys)")
    }

    @Test("public-key as step-ca names it, for every key type a CSR may hold")
    func publicKeyNames() throws {
        #expect(CertificateLogFields.describe(.init(P256.Signing.PrivateKey().publicKey)) == "ECDSA P-256")
        #expect(CertificateLogFields.describe(.init(P384.Signing.PrivateKey().publicKey)) == "ECDSA P-384")
        #expect(CertificateLogFields.describe(.init(P521.Signing.PrivateKey().publicKey)) == "ECDSA P-521")
        #expect(CertificateLogFields.describe(.init(Curve25519.Signing.PrivateKey().publicKey)) == "Ed25519")
        #expect(CertificateLogFields.describe(.init(try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)) == "RSA 2048")
    }

    @Test("durations as Go prints them", arguments: [
        (Int64(0), "0s"), (999, "999ns"), (1_000, "1µs"), (85_877, "85.877µs"), (26_740, "26.74µs"), (1_000_000, "1ms"),
        (2_453_159, "2.453159ms"), (1_500_000_000, "1.5s"), (59_999_999_999, "59.999999999s"), (60_000_000_000, "1m0s"),
        (75_500_000_000, "1m15.5s"), (7_200_000_000_000, "2h0m0s"), (-1_500, "-1.5µs"),
    ])
    func durations(nanoseconds: Int64, text: String) {
        #expect(AccessLog.goDuration(nanoseconds) == text)
    }

    @Test("values: logrus' characters bare, anything else quoted as Go's %q", arguments: [
        ("", ""), ("a-Z_0.9/@^+", "a-Z_0.9/@^+"), ("a b", #""a b""#), ("85.877µs", #""85.877µs""#),
        ("say \"hi\"\\", #""say \"hi\"\\""#), ("line\nnext\ttab", #""line\nnext\ttab""#), ("\u{01}\u{7F}\u{85}", #""\x01\x7f\u0085""#),
        ("2026-11-29T04:37:12Z", #""2026-11-29T04:37:12Z""#),
    ])
    func values(value: String, written: String) {
        #expect(AccessLog.logfmt(value) == written)
    }

    /// The entry `log` makes for a request with `target` and `headers`, answered with `status`,
    /// from the peer 1.1.1.1.
    static func loggedEntry(_ log: AccessLog, _ target: String, headers: HTTPFields = [:], status: HTTPResponse.Status = .ok) -> AccessLog.Entry? {
        var head = HTTPRequest(method: .get, scheme: "https", authority: "ca.example", path: target)
        head.headerFields = headers
        return log.entry(request: Request(head: head, body: .init(buffer: ByteBuffer())), response: Response(status: status),
                         requestID: "r", fields: RequestLogFields(), duration: .microseconds(5), httpProtocol: "HTTP/1.1",
                         peer: "1.1.1.1")
    }

    static func headers(_ pairs: [(String, String)]) -> HTTPFields {
        HTTPFields(pairs.map { HTTPFields.Element(name: HTTPFields.Element.Name($0.0)!, value: $0.1) })
    }

    @Test("STEP_LOGGER_LOG_REAL_IP: True-Client-IP, X-Real-IP, then the first X-Forwarded-For entry; invalid ones ignored",
          arguments: [
            ("true", [], "1.1.1.1"),
            ("true", [("True-Client-IP", "2.2.2.2")], "2.2.2.2"),
            ("true", [("True-Client-IP", "a.b.c.d")], "1.1.1.1"),
            ("true", [("X-Real-IP", "3.3.3.3")], "3.3.3.3"),
            ("true", [("X-Forwarded-For", "4.4.4.4")], "4.4.4.4"),
            ("true", [("X-Forwarded-For", "4.4.4.4, 5.5.5.5, 6.6.6.6")], "4.4.4.4"),
            ("true", [("True-Client-IP", "2.2.2.2"), ("X-Real-IP", "3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")], "2.2.2.2"),
            ("true", [("X-Real-IP", "2001:db8::1")], "2001:db8::1"),
            ("true", [("X-Real-IP", "01.2.3.4")], "1.1.1.1"),
            ("true", [("X-Real-IP", "3.3.3.3:443")], "1.1.1.1"),
            ("true", [("X-Real-IP", "fe80::1%eth0")], "1.1.1.1"),
            ("1", [("X-Real-IP", "3.3.3.3")], "3.3.3.3"),
            ("false", [("True-Client-IP", "2.2.2.2")], "1.1.1.1"),
            ("yes", [("True-Client-IP", "2.2.2.2")], "1.1.1.1"),
            ("false", [], "1.1.1.1"),
          ] as [(String, [(String, String)], String)])
    func realIP(setting: String, headers: [(String, String)], logged: String) throws {
        let log = AccessLog(format: "text", environment: ["STEP_LOGGER_LOG_REAL_IP": setting])
        let entry = try #require(Self.loggedEntry(log, "/version", headers: Self.headers(headers)))
        #expect(entry.remoteAddress == logged)
    }

    @Test("the path is the request target with its query; STEP_LOGGER_ONLY_TRACE_HEALTH_ENDPOINT drops successful /health lines")
    func pathAndHealthLines() throws {
        let plain = AccessLog(format: "text", environment: [:])
        #expect(Self.loggedEntry(plain, "/provisioners?limit=1")?.path == "/provisioners?limit=1")
        #expect(Self.loggedEntry(plain, "/health")?.path == "/health")

        let quiet = AccessLog(format: "text", environment: ["STEP_LOGGER_ONLY_TRACE_HEALTH_ENDPOINT": "true"])
        #expect(Self.loggedEntry(quiet, "/health") == nil)
        #expect(Self.loggedEntry(quiet, "/health", status: .internalServerError)?.status == 500)
        #expect(Self.loggedEntry(quiet, "/1.0/health")?.path == "/1.0/health")
        #expect(Self.loggedEntry(quiet, "/version")?.path == "/version")
    }
}
