import Foundation
import Testing
import StepConfig
@testable import Host

@Suite("host units")
struct HostUnitTests {
    @Test("Go-style JSON output escapes like encoding/json and indents with tabs")
    func orderedJSON() {
        let json = OrderedJSON.object([("a", .string("<x>&\"\n")), ("b", .array([.number("1.2"), .null])), ("c", .object([]))])
        #expect(json.indented() == "{\n\t\"a\": \"\\u003cx\\u003e\\u0026\\\"\\n\",\n\t\"b\": [\n\t\t1.2,\n\t\tnull\n\t],\n\t\"c\": {}\n}\n")
    }

    @Test("JSON strings escape control characters, backslashes, U+2028/2029 and keep other UTF-8 as is")
    func jsonQuoting() {
        #expect(OrderedJSON.quote("a\\b\u{01}\r\t\u{1f}") == #""a\\b\u0001\r\t\u001f""#)
        #expect(OrderedJSON.quote("x\u{2028}y\u{2029}z") == #""x\u2028y\u2029z""#)
        #expect(OrderedJSON.quote("é€\u{2027}😀") == "\"é€\u{2027}😀\"")
        #expect(OrderedJSON.quote("") == #""""#)
        // U+2000 shares U+2028's first two bytes; U+2028 as the last character is still escaped.
        #expect(OrderedJSON.quote("end\u{2000}") == "\"end\u{2000}\"")
        #expect(OrderedJSON.quote("end\u{2028}") == #""end\u2028""#)
    }

    @Test("the sign answer's leaf PEM is what quoting step's PEM text gives", arguments: [0, 1, 47, 48, 49, 96, 500, 1_234])
    func quotedLeafPEM(length: Int) {
        let der = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected = OrderedJSON.quote(PEMBlock(type: "CERTIFICATE", bytes: Data(der)).encoded)
        #expect(String(decoding: SignResponse.quotedCertificatePEM(der), as: UTF8.self) == expected)
    }

    @Test("request IDs are distinct lower-case version-4 UUIDs")
    func requestIDs() throws {
        let ids = (0..<200).map { _ in RequestID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            #expect(uuid.uuid.6 >> 4 == 4)
            #expect(uuid.uuid.8 >> 6 == 0b10)
        }
    }

    @Test("listen addresses as Go accepts them", arguments: [
        (":443", "0.0.0.0", 443), ("127.0.0.1:9000", "127.0.0.1", 9000), ("[::1]:8443", "::1", 8443), ("localhost:0", "localhost", 0),
    ])
    func listenAddress(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(text))
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test("token audiences lose their port only", arguments: [
        ("https://ca.example.com:9443/1.0/sign", "https://ca.example.com/1.0/sign"),
        ("https://ca.example.com/1.0/sign", "https://ca.example.com/1.0/sign"),
        ("https://[::1]:8443/sign#frag", "https://[::1]/sign#frag"),
        ("https://[::1]/sign", "https://[::1]/sign"),
        ("https://host:443?x=1", "https://host?x=1"),
        ("https://host:abc/sign", "https://host:abc/sign"),
        ("step-certificate-authority", "step-certificate-authority"),
        ("https://hôst.example:8443/1.0/renew", "https://hôst.example/1.0/renew"),
    ])
    func audienceWithoutPort(audience: String, expected: String) {
        #expect(Audiences.withoutPort(audience) == expected)
    }

    @Test("an audience set accepts the expected URLs with any port and nothing else")
    func audienceSet() {
        let set = AudienceSet(purpose: .sign, dnsNames: ["ca.example.com", "::1"])
        #expect(set.matchesAny(["https://ca.example.com:9000/1.0/sign"]))
        #expect(set.matchesAny(["https://[::1]:443/sign"]))
        #expect(set.matchesAny(["step-certificate-authority"]))
        #expect(!set.matchesAny(["https://ca.example.com/1.0/renew", "https://other.example.com/1.0/sign"]))
        #expect(!AudienceSet(purpose: .renew, dnsNames: ["ca.example.com"]).matchesAny(["step-certificate-authority"]))
    }

    @Test("invalid listen addresses", arguments: ["443", "host:", "host:70000", "host:x"])
    func invalidListenAddress(text: String) {
        #expect(ListenAddress(text) == nil)
    }

    @Test("password files lose trailing whitespace only; an empty file is a given empty password")
    func passwordFile() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("p")
        try " secret \t\r\n\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try PasswordSource.read(file: file.path) == Data(" secret".utf8))
        try "".write(to: file, atomically: true, encoding: .utf8)
        let source = PasswordSource(passwordFile: file.path, configPassword: "from-config")
        #expect(try source.resolve(promptFor: "x") == Data())
        #expect(try PasswordSource(passwordFile: nil, configPassword: "from-config").resolve(promptFor: "x") == Data("from-config".utf8))
    }

    @Test("the sqlite stanza reaches the plugin with its resolved path; others pass verbatim")
    func pluginJSON() throws {
        let sqlite = DBConfig(type: "sqlite", dataSource: "/abs/db/ca.db", rawJSON: #"{"type":"sqlite","dataSource":"db/ca.db","busyTimeoutMilliseconds":50}"#)
        let json = try DatabaseOpener.pluginJSON(sqlite)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["dataSource"] as? String == "/abs/db/ca.db")
        #expect(object?["busyTimeoutMilliseconds"] as? Int == 50)
        let postgres = DBConfig(type: "postgresql", dataSource: "postgresql://u:pw@h/db", rawJSON: #"{"type":"postgresql","dataSource":"postgresql://u:pw@h/db"}"#)
        #expect(try DatabaseOpener.pluginJSON(postgres) == postgres.rawJSON)
        #expect(!DatabaseOpener.describe(postgres).contains("pw"))
    }

    @Test("the serving certificate carries the DNS and IP names, EKUs and a 24 h life")
    func servingCertificate() async throws {
        let issuerKey = StepCryptoKeys.p256()
        let root = try CertificateFactory.makeRoot(name: "T", key: issuerKey, validity: 3600)
        let key = StepCryptoKeys.p256()
        let certificate = try await CertificateFactory.makeServingCertificate(
            commonName: "Step Online CA", dnsNames: ["localhost", "127.0.0.1", "[::1]"], key: key, issuer: root,
            issuerKey: CASigningKey(file: issuerKey, path: "unit"))
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(names.count == 3)
        #expect(names.contains(.dnsName("localhost")))
        #expect(try certificate.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try certificate.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) == 24 * 3600 + 60)
        #expect(root.publicKey.isValidSignature(certificate.signature, for: certificate))
    }

    @Test("root and intermediate start at the whole second they were made in, never later (Go truncates)")
    func caCertificatesStartNoLaterThanNow() throws {
        let made = Date(timeIntervalSince1970: 1_800_000_000.7)
        let rootKey = StepCryptoKeys.p256()
        let root = try CertificateFactory.makeRoot(name: "T", key: rootKey, validity: 3600, now: made)
        let intermediate = try CertificateFactory.makeIntermediate(name: "T", key: StepCryptoKeys.p256(), root: root,
                                                                   rootKey: rootKey, validity: 3600, now: made)
        for certificate in [root, intermediate] {
            #expect(certificate.notValidBefore == Date(timeIntervalSince1970: 1_800_000_000))
            #expect(certificate.notValidAfter == Date(timeIntervalSince1970: 1_800_003_600))
        }
    }
}

import StepCrypto
import X509

enum StepCryptoKeys {
    static func p256() -> PrivateKeyMaterial { try! PrivateKeyMaterial.generate(.ecdsaP256) }
}
