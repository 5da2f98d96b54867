import Crypto
import Foundation
import SwiftASN1
import Testing
import StepCrypto
import X509
@testable import Host

// `step-ca db export` end to end: a live CA (sqlite plugin; two instances, two JWK provisioners) issues
// certificates over HTTPS, one is revoked, an expired certificate and a corrupt record are written
// into the database; the built binary exports them, and the output is read back with parsers of
// our own writers' (JSONSerialization; Python's csv module) and checked against the certificates
// as Python's `cryptography` reads them. Then the parts in process: the listing queue, the
// exporter over stores that serialise or block their calls, the streaming listing of the sqlite
// plugin, and the formatting rules.

// MARK: - The live fixture

/// What one certificate in the fixture's database should export as.
struct ExpectedExport {
    var serial: String
    var pem: String?
    var provisionerName: String?
    var provisionerType: String?
    var provisionerID: String?
    var provisionerSource: String?
    var status: String?
    var reasonCode: Int?
    var reason: String?
    /// Python's reading of the certificate (nil for the corrupt record).
    var facts: CertificateFacts?
}

/// A live CA on the fixture PKI with a second JWK provisioner, and the database contents the
/// export must reproduce.
final class ExportFixture: @unchecked Sendable {
    @TaskLocal static var current: ExportFixture?

    static let secondProvisioner = "second@example.com"

    /// The server started on the fixture (one provisioner); owns the directory.
    let first: LiveCA
    /// A second server on the same ca.json (by then with both provisioners) and database.
    let second: ServerProcess
    let secondKeyID: String
    let startedAt: Date
    /// Issued, provisioner 1, notAfter in 2 h, SANs of every kind.
    let active: ExpectedExport
    /// Issued, provisioner 1, revoked.
    let revoked: ExpectedExport
    /// Issued, provisioner 2.
    let otherProvisioner: ExpectedExport
    /// Written into x509_certs directly: expired, no x509_certs_data record, a DN that needs
    /// RFC 4514 escaping, step's provisioner extension naming provisioner 2.
    let expired: ExpectedExport
    /// Written into x509_certs directly: not DER, with a data record.
    let corrupt: ExpectedExport

    var all: [ExpectedExport] { [active, revoked, otherProvisioner, expired, corrupt] }

    static func get() throws -> ExportFixture {
        guard let fixture = current else { throw APITestError("no export fixture: the suite needs the .exportFixture trait") }
        return fixture
    }

    init() throws {
        let startedAt = Date()
        let first = try LiveCA()
        let second: ServerProcess
        let key: PrivateKeyMaterial
        let secondKeyID: String
        do {
            // A second JWK provisioner in ca.json, served by a second instance.
            key = try PrivateKeyMaterial.generate(.ecdsaP256)
            let jwk = JWK(publicKey: key.publicKey)
            guard let kid = jwk.keyID else { throw APITestError("the JWK has no kid") }
            secondKeyID = kid
            let url = URL(fileURLWithPath: first.configPath)
            guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                  var authority = config["authority"] as? [String: Any],
                  var provisioners = authority["provisioners"] as? [[String: Any]] else {
                throw APITestError("the fixture ca.json has no provisioners")
            }
            provisioners.append(["type": "JWK", "name": Self.secondProvisioner,
                                 "key": try JSONSerialization.jsonObject(with: jwk.jsonData())])
            authority["provisioners"] = provisioners
            config["authority"] = authority
            try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted]).write(to: url)
            second = try ServerProcess(arguments: [first.configPath, "--password-file", first.passwordPath],
                                       environment: ["STEPPATH": first.stepPath.path])
        } catch {
            first.stop()
            throw error
        }
        let ca = first
        let firstID = LiveCA.provisionerID
        let secondID = "\(Self.secondProvisioner):\(secondKeyID)"
        do {
            // Issued over HTTPS.
            let sansA = ["export-a.example.com", "10.9.8.7", "2001:db8::7", "ops@example.com", "spiffe://example.com/export-a"]
            let leafA = try ca.issue(commonName: "export-a.example.com", sans: sansA,
                                     notAfter: Encoding.rfc3339(Date().addingTimeInterval(2 * 3600)))
            let leafB = try ca.issue(commonName: "export-b.example.com")
            let csrC = try ca.makeCSR(.p256, commonName: "export-c.example.com", sans: ["export-c.example.com", "10.9.8.9"])
            let secondURL = "https://localhost:\(second.port)"
            let ottC = try ca.token(subject: "export-c.example.com", sans: ["export-c.example.com", "10.9.8.9"], key: key,
                                    keyID: secondKeyID) { claims in
                claims.issuer = Self.secondProvisioner
                claims.audience = ["\(secondURL)/1.0/sign"]
            }
            let signed = try Self.post(ca.signBody(csr: csrC.pem, ott: ottC), to: secondURL + "/1.0/sign", port: second.port, ca: ca)
            let leafC = try ca.leaf(from: signed, commonName: "export-c.example.com", keyPath: csrC.keyPath, keyPEM: csrC.keyPEM)

            // B revoked over HTTPS.
            let revoke = try ca.post("/1.0/revoke", json: [
                "serial": leafB.serial, "ott": try ca.token(subject: leafB.serial, purpose: "revoke"),
                "reasonCode": 1, "reason": "key compromise, \"test\"", "passive": true,
            ])
            guard revoke.status == 200 else { throw APITestError("revoke failed: \(revoke)") }

            // An expired certificate with step's provisioner extension and no data record.
            let expiredCertificate = try Self.expiredCertificate(provisioner: Self.secondProvisioner, keyID: secondKeyID)
            let expiredDER = CertificateFiles.der(expiredCertificate)
            let expiredSerial = Encoding.decimal(expiredCertificate.serialNumber.bytes)
            _ = try first.sqlite("INSERT INTO x509_certs (nkey, nvalue) VALUES (CAST('\(expiredSerial)' AS BLOB), X'\(Encoding.hex(expiredDER))');")

            // A record that is not a certificate, with a data record.
            let corruptSerial = "4242424242"
            let data = "{\"provisioner\":{\"id\":\"\(firstID)\",\"name\":\"\(LiveCA.provisionerName)\",\"type\":\"JWK\"}}"
            _ = try first.sqlite("""
                INSERT INTO x509_certs (nkey, nvalue) VALUES (CAST('\(corruptSerial)' AS BLOB), CAST('not a certificate' AS BLOB));
                INSERT INTO x509_certs_data (nkey, nvalue) VALUES (CAST('\(corruptSerial)' AS BLOB), CAST('\(data)' AS BLOB));
                """)

            func expected(_ leaf: IssuedLeaf, _ name: String, _ id: String, status: String) throws -> ExpectedExport {
                ExpectedExport(serial: leaf.serial, pem: leaf.leafPEM, provisionerName: name, provisionerType: "JWK",
                               provisionerID: id, provisionerSource: "data", status: status,
                               facts: try ca.inspect(leaf.leafPEM))
            }
            active = try expected(leafA, LiveCA.provisionerName, firstID, status: "active")
            var revokedLeaf = try expected(leafB, LiveCA.provisionerName, firstID, status: "revoked")
            revokedLeaf.reasonCode = 1
            revokedLeaf.reason = "key compromise, \"test\""
            revoked = revokedLeaf
            otherProvisioner = try expected(leafC, Self.secondProvisioner, secondID, status: "active")
            let expiredPEM = Encoding.pem(Data(expiredDER), type: "CERTIFICATE")
            expired = ExpectedExport(serial: expiredSerial, pem: expiredPEM, provisionerName: Self.secondProvisioner,
                                     provisionerType: "JWK", provisionerID: nil, provisionerSource: "extension",
                                     status: "expired", facts: try ca.inspect(expiredPEM))
            corrupt = ExpectedExport(serial: corruptSerial, provisionerName: LiveCA.provisionerName, provisionerType: "JWK",
                                     provisionerID: firstID, provisionerSource: "data", status: nil)
        } catch {
            second.stop()
            first.stop()
            throw error
        }
        self.startedAt = startedAt
        self.first = first
        self.second = second
        self.secondKeyID = secondKeyID
    }

    func stop() {
        second.stop()
        first.stop()
    }

    /// POSTs JSON to the second server with curl, trusting the fixture root.
    static func post(_ json: [String: Any], to url: String, port: Int, ca: LiveCA) throws -> HTTPResult {
        let curl = try APITools.path(APITools.curl, "curl")
        let file = ca.scratchPath(".json")
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
        let result = try Run.program(curl, ["-sS", "--max-time", "60", "--cacert", ca.rootPath, "--resolve", "localhost:\(port):127.0.0.1",
                                            "-H", "Content-Type: application/json", "--data-binary", "@" + file,
                                            "-w", "\n%{http_code}", url])
        guard let newline = result.stdout.lastIndex(of: "\n"), let status = Int(result.stdout[result.stdout.index(after: newline)...]) else {
            throw APITestError("curl failed: \(result.stderr)")
        }
        return HTTPResult(status: status, headers: [:], body: Data(result.stdout[..<newline].utf8), curlExit: result.status,
                          curlError: result.stderr)
    }

    /// A certificate that expired yesterday, signed by a throwaway key, whose subject needs
    /// escaping in RFC 4514 and includes a type without a short name (emailAddress).
    static func expiredCertificate(provisioner: String, keyID: String) throws -> Certificate {
        let issuerKey = P256.Signing.PrivateKey()
        let leafKey = P256.Signing.PrivateKey()
        let subject = DistinguishedName([
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "US")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "Example+Co; \"Ops\"")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: " leading space")),
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.emailAddress, ia5String: "pki@example.com")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: "#expired, <old>")),
        ])
        let now = Date()
        var extensions = try Certificate.Extensions {
            SubjectAlternativeNames([.dnsName("expired.example.com"), .rfc822Name("old@example.com"),
                                     .uniformResourceIdentifier("spiffe://example.com/expired")])
        }
        try extensions.append(ProvisionerExtension(type: 1, name: provisioner, credentialID: keyID).makeExtension())
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-30 * 86_400), notValidAfter: now.addingTimeInterval(-86_400),
            issuer: try DistinguishedName { CommonName("Throwaway Issuer") }, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(issuerKey))
    }

    // MARK: Running the command

    /// `step-ca db export <ca.json> <arguments>`.
    func export(_ arguments: [String]) throws -> ProcessResult {
        try Run.program(TestEnvironment.stepCA, ["db", "export", first.configPath] + arguments,
                        environment: ["STEPPATH": first.stepPath.path])
    }

    /// The JSON lines of a successful export, each parsed.
    func exportJSON(_ arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try export(arguments)
        try #require(result.status == 0, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        return try result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw APITestError("not a JSON object: \(line)")
            }
            return object
        }
    }

    /// The serials an export with `arguments` writes.
    func serials(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Set<String> {
        Set(try exportJSON(arguments, sourceLocation: sourceLocation).compactMap { $0["serial"] as? String })
    }
}

/// Builds the fixture once for the suite and stops its servers afterwards.
struct ExportFixtureTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard APITools.runnable else {
            try await function()
            return
        }
        let fixture = try ExportFixture()
        defer { fixture.stop() }
        try await ExportFixture.$current.withValue(fixture) {
            try await function()
        }
    }
}

extension Trait where Self == ExportFixtureTrait {
    /// A live CA with issued, revoked, expired and corrupt certificate records.
    static var exportFixture: Self { ExportFixtureTrait() }
}

// MARK: - The command against a live CA

@Suite("step-ca db export: a live CA's database", .serialized, .exportFixture, .enabled(if: APITools.runnable))
struct DBExportLiveTests {
    static let jsonMembers = ["serial", "subject", "sans", "notBefore", "notAfter", "status", "provisioner", "revoked",
                              "reasonCode", "reason", "revokedAt", "error"]

    /// Whole seconds since 1970 of an exported RFC 3339 UTC time (a fraction is dropped).
    func seconds(_ value: Any?) -> Int? {
        guard var text = value as? String else { return nil }
        if let dot = text.firstIndex(of: "."), text.hasSuffix("Z") { text = String(text[..<dot]) + "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int($0.timeIntervalSince1970) }
    }

    @Test("jsonl: one object per x509_certs entry, stable members, fields equal to the certificates as Python reads them")
    func jsonLines() throws {
        let fixture = try ExportFixture.get()
        let result = try fixture.export([])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("\n"))
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5, "\(result.stdout)")
        for line in lines {
            // Members always present, in the documented order.
            let positions = Self.jsonMembers.map { line.range(of: "\"\($0)\":")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(line)")
        }
        let records = try fixture.exportJSON()
        let bySerial = Dictionary(records.map { ($0["serial"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(bySerial.keys) == Set(fixture.all.map(\.serial)))

        for expected in fixture.all {
            let record = try #require(bySerial[expected.serial], "serial \(expected.serial) missing")
            #expect(Set(record.keys) == Set(Self.jsonMembers))
            #expect(record["status"] as? String == expected.status, "\(expected.serial): \(record)")
            let provisioner = try #require(record["provisioner"] as? [String: Any], "\(record)")
            #expect(provisioner["name"] as? String == expected.provisionerName)
            #expect(provisioner["type"] as? String == expected.provisionerType)
            #expect(provisioner["id"] as? String == expected.provisionerID)
            #expect(provisioner["source"] as? String == expected.provisionerSource)
            #expect(record["revoked"] as? Bool == (expected.status == "revoked"))
            #expect(record["reasonCode"] as? Int == expected.reasonCode)
            #expect(record["reason"] as? String == expected.reason)
            if expected.status == "revoked" {
                let revokedAt = try #require(seconds(record["revokedAt"]), "\(record)")
                #expect(revokedAt >= Int(fixture.startedAt.timeIntervalSince1970) - 2 && revokedAt <= Int(Date().timeIntervalSince1970) + 2)
            } else {
                #expect(record["revokedAt"] is NSNull)
            }
            guard expected.pem != nil else {
                // The corrupt record: the certificate's fields are unknown, the error says why.
                let error = try #require(record["error"] as? String, "\(record)")
                #expect(error.contains("does not parse"), "\(error)")
                #expect(!error.contains(".swift:"), "\(error)")
                for member in ["subject", "sans", "notBefore", "notAfter", "status"] { #expect(record[member] is NSNull, "\(member)") }
                continue
            }
            #expect(record["error"] is NSNull)
            guard let facts = expected.facts else { continue }  // no python3 with cryptography (recorded in CI)
            #expect(record["subject"] as? String == facts.subject)
            let sans = try #require(record["sans"] as? [String: Any])
            #expect(sans["dns"] as? [String] == facts.dnsNames)
            #expect(sans["ip"] as? [String] == facts.ipAddresses)
            #expect(sans["email"] as? [String] == facts.emailAddresses)
            #expect(sans["uri"] as? [String] == facts.uris)
            #expect(seconds(record["notBefore"]) == facts.notBefore)
            #expect(seconds(record["notAfter"]) == facts.notAfter)
        }
        // The RFC 4514 subject with escapes and an OID-named type, as Python writes it.
        let expired = try #require(bySerial[fixture.expired.serial])
        #expect(expired["subject"] as? String
                == ##"CN=\#expired\, \<old\>,1.2.840.113549.1.9.1=pki@example.com,OU=\ leading space,O=Example\+Co\; \"Ops\",C=US"##)
        let active = try #require(bySerial[fixture.active.serial]?["sans"] as? [String: Any])
        #expect(active["ip"] as? [String] == ["10.9.8.7", "2001:db8::7"])
        #expect(active["uri"] as? [String] == ["spiffe://example.com/export-a"])

        // The unreadable record is counted on standard error; the export still succeeds.
        #expect(result.stderr.contains("x509_certs/\(fixture.corrupt.serial): "), "\(result.stderr)")
        #expect(result.stderr.contains("exported 5 of 5 certificates to standard output (1 could not be parsed"), "\(result.stderr)")
    }

    @Test("csv: RFC 4180 with a header row and CRLF, read back by Python's csv module, fields equal to the jsonl export")
    func csv() throws {
        let fixture = try ExportFixture.get()
        let path = fixture.first.scratchPath(".csv")
        let result = try fixture.export(["--format", "csv", "--output", path])
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let raw = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.hasPrefix("serial,subject,sans,notBefore,notAfter,status,provisionerName,provisionerType,provisionerId,provisionerSource,revoked,reasonCode,reason,revokedAt,error\r\n"))
        #expect(text.hasSuffix("\r\n"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int ?? 0) & 0o777 == 0o600)

        guard let python3 = APITools.python3 else {
            if TestEnvironment.isCI { Issue.record("python3 is required in CI") }
            return
        }
        let parsed = try Run.program(python3, ["-c", "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))", path])
        try #require(parsed.status == 0, "\(parsed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: String]])
        let byCSV = Dictionary(rows.map { ($0["serial"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let byJSON = Dictionary(try fixture.exportJSON().map { ($0["serial"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byCSV.keys) == Set(fixture.all.map(\.serial)))

        // JSONSerialization's numbers also cast to Bool: ask for the type the member has.
        func field(_ value: Any?, boolean: Bool = false) -> String {
            if boolean { return (value as? Bool).map { $0 ? "true" : "false" } ?? "" }
            switch value {
            case let string as String: return string
            case let number as Int: return String(number)
            default: return ""
            }
        }
        for expected in fixture.all {
            let row = try #require(byCSV[expected.serial])
            let json = try #require(byJSON[expected.serial])
            for member in ["subject", "notBefore", "notAfter", "status", "reasonCode", "reason", "revokedAt", "error"] {
                #expect(row[member] == field(json[member]), "\(expected.serial) \(member)")
            }
            #expect(row["revoked"] == field(json["revoked"], boolean: true))
            #expect(row["revoked"] == (expected.status == "revoked" ? "true" : "false"))
            let provisioner = json["provisioner"] as? [String: Any]
            #expect(row["provisionerName"] == field(provisioner?["name"]))
            #expect(row["provisionerType"] == field(provisioner?["type"]))
            #expect(row["provisionerId"] == field(provisioner?["id"]))
            #expect(row["provisionerSource"] == field(provisioner?["source"]))
            if let facts = expected.facts {
                let sans = facts.dnsNames.map { "dns:" + $0 } + facts.ipAddresses.map { "ip:" + $0 }
                    + facts.emailAddresses.map { "email:" + $0 } + facts.uris.map { "uri:" + $0 }
                #expect(row["sans"] == sans.joined(separator: " "), "\(expected.serial)")
                #expect(row["subject"] == facts.subject)
            }
        }
        #expect(byCSV[fixture.active.serial]?["sans"]
                == "dns:export-a.example.com ip:10.9.8.7 ip:2001:db8::7 email:ops@example.com uri:spiffe://example.com/export-a")
        // Quoted fields: the revocation reason holds a comma and quotes, the expired subject too.
        #expect(text.contains(#","key compromise, ""test""","#))
        #expect(byCSV[fixture.revoked.serial]?["reason"] == "key compromise, \"test\"")
    }

    @Test("filters: status, provisioner (repeatable), notAfter and issued windows; the corrupt record always")
    func filters() throws {
        let fixture = try ExportFixture.get()
        let a = fixture.active.serial, b = fixture.revoked.serial, c = fixture.otherProvisioner.serial
        let x = fixture.expired.serial, bad = fixture.corrupt.serial
        let in3h = Encoding.rfc3339(Date().addingTimeInterval(3 * 3600))
        let dayAgo = Encoding.rfc3339(Date().addingTimeInterval(-86_400))
        let cases: [([String], Set<String>)] = [
            ([], [a, b, c, x, bad]),
            (["--status", "all"], [a, b, c, x, bad]),
            (["--status", "active"], [a, c, bad]),
            (["--status", "revoked"], [b, bad]),
            (["--status", "expired"], [x, bad]),
            (["--provisioner", ExportFixture.secondProvisioner], [c, x, bad]),
            (["--provisioner", LiveCA.provisionerName], [a, b, bad]),
            (["--provisioner", LiveCA.provisionerName, "--provisioner", ExportFixture.secondProvisioner], [a, b, c, x, bad]),
            (["--provisioner", "nobody"], [bad]),
            (["--not-after-to", in3h], [a, x, bad]),
            (["--not-after-from", in3h], [b, c, bad]),
            (["--issued-from", dayAgo], [a, b, c, bad]),
            (["--issued-to", dayAgo], [x, bad]),
            (["--issued-from", dayAgo, "--status", "active", "--provisioner", LiveCA.provisionerName], [a, bad]),
            (["--not-after-from", "2000-01-01", "--not-after-to", "2000-01-02"], [bad]),
        ]
        for (arguments, expected) in cases {
            #expect(try fixture.serials(arguments) == expected, "\(arguments)")
        }
    }

    @Test("--output - is standard output; the summary names the destination; --quiet drops it")
    func outputs() throws {
        let fixture = try ExportFixture.get()
        let dash = try fixture.export(["--output", "-", "--status", "revoked"])
        #expect(dash.status == 0)
        #expect(dash.stdout.split(separator: "\n").count == 2)
        #expect(dash.stderr.contains("exported 2 of 5 certificates to standard output"), "\(dash.stderr)")
        let quiet = try fixture.export(["--quiet", "--status", "revoked"])
        #expect(!quiet.stderr.contains("exported"))
        #expect(quiet.stderr.contains("could not be parsed") == false)
        #expect(quiet.stderr.contains("x509_certs/\(fixture.corrupt.serial)"), "the warning stays: \(quiet.stderr)")
    }
}

// MARK: - The command's refusals

@Suite("step-ca db export: usage and configuration errors")
struct DBExportErrorTests {
    @Test("bad options are usage errors (exit 64) that say what is wrong", arguments: [
        (["--status", "valid"], "'valid' is invalid for '--status <status>'"),
        (["--format", "xml"], "Please provide one of 'jsonl' and 'csv'"),
        (["--issued-from", "yesterday"], "\"yesterday\" is not an RFC 3339 time"),
        (["--not-after-to", "2025-13-01T00:00:00Z"], "is not an RFC 3339 time"),
        (["--not-after-from", "2025-02-01", "--not-after-to", "2025-01-01"], "--not-after-from must be before --not-after-to"),
        (["--issued-from", "2025-02-01T00:00:00+01:00", "--issued-to", "2025-01-31T23:00:00Z"], "--issued-from must be before --issued-to"),
        (["--provisioner", ""], "--provisioner needs a name"),
    ])
    func usage(arguments: [String], message: String) throws {
        let result = try Run.program(TestEnvironment.stepCA, ["db", "export", "/nonexistent/ca.json"] + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A copy of the fixture STEPPATH whose ca.json `db` is replaced (nil removes it).
    func stepPath(db: [String: Any]?, in directory: URL) throws -> URL {
        let stepPath = try LiveCA.fixtureStepPath(in: directory, sortedConfig: false)
        let url = stepPath.appendingPathComponent("config/ca.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        config["db"] = db
        try JSONSerialization.data(withJSONObject: config).write(to: url)
        return stepPath
    }

    @Test("ca.json without db: \"nothing to export\", exit 1")
    func noDatabase() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try stepPath(db: nil, in: directory)
        // The default ca.json is $STEPPATH/config/ca.json, as for the other commands.
        let result = try Run.program(TestEnvironment.stepCA, ["db", "export"], environment: ["STEPPATH": stepPath.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("config/ca.json: ca.json has no db: nothing to export"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a missing SQLite file is reported and not created; a failed export leaves no output file")
    func missingDatabaseFile() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try stepPath(db: ["type": "sqlite", "dataSource": "db/missing.db"], in: directory)
        let output = directory.appendingPathComponent("out.jsonl").path
        let result = try Run.program(TestEnvironment.stepCA, ["db", "export", "-o", output], environment: ["STEPPATH": stepPath.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("db/missing.db does not exist: nothing to export"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stepPath.appendingPathComponent("db/missing.db").path))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("an unknown db type names the plugin problem, exit 1")
    func unknownPlugin() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try stepPath(db: ["type": "nosuchdb", "dataSource": "x"], in: directory)
        let result = try Run.program(TestEnvironment.stepCA, ["db", "export"], environment: ["STEPPATH": stepPath.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("db.type \"nosuchdb\""), "\(result.stderr)")
    }
}

// MARK: - In process: queue, exporter, streaming listing

/// Certificates made in process for the exporter tests.
enum ExportTestCertificates {
    static func der(serial: UInt64, commonName: String, notAfter: Date) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: withUnsafeBytes(of: serial.bigEndian) { Array($0) }),
            publicKey: .init(key.publicKey), notValidBefore: notAfter.addingTimeInterval(-86_400), notValidAfter: notAfter,
            issuer: try DistinguishedName { CommonName("Test Issuer") }, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { SubjectAlternativeNames([.dnsName(commonName)]) },
            issuerPrivateKey: .init(key))
        return CertificateFiles.der(certificate)
    }

    /// A store holding `count` certificates with data records, every tenth revoked.
    static func fill(_ store: any KeyValueStore, count: Int) async throws {
        for table in DatabaseTables.core { try await store.createTable(table) }
        let der = try der(serial: 1, commonName: "template.example.com", notAfter: Date().addingTimeInterval(86_400))
        for index in 0..<count {
            let key = Array("\(1000 + index)".utf8)
            try await store.set(DatabaseTables.x509Certs, key, der)
            try await store.set(DatabaseTables.x509CertsData, key,
                                CertificateRecords.certificateData(.init(id: "p:\(index % 3)", name: "p\(index % 3)", type: "JWK")))
            if index % 10 == 0 {
                try await store.set(DatabaseTables.revokedX509Certs, key, Array("{\"ReasonCode\":4,\"Reason\":\"r\"}".utf8))
            }
        }
    }
}

/// A store that behaves like a plugin the host serialises: one lock held for the whole of every
/// call, the listing included, each call on a thread of its own (as on the plugin pool).
final class SerialisingStore: KeyValueStore, @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var tables: [String: [[UInt8]: [UInt8]]] = [:]
    /// What the store claims; false like a serialised plugin, true like a thread-safe plugin
    /// that nevertheless blocks its other calls during a listing.
    let servesCallsDuringListing: Bool
    let name = "serialising test store"
    let isPersistent = false

    init(claimsConcurrentCalls: Bool) { servesCallsDuringListing = claimsConcurrentCalls }

    /// Runs `body` holding the lock, on a new thread.
    private func call<T>(_ body: @escaping (inout [String: [[UInt8]: [UInt8]]]) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let box = UncheckedBox(body)
            Thread.detachNewThread { [self] in
                lock.lock()
                let result = Result { try box.value(&tables) }
                lock.unlock()
                continuation.resume(with: result)
            }
        }
    }

    private func missing(_ table: String) -> DatabaseError { DatabaseError(code: .notFound, message: "table \(table) does not exist") }

    func createTable(_ table: String) async throws { try await call { if $0[table] == nil { $0[table] = [:] } } }
    func deleteTable(_ table: String) async throws { try await call { $0[table] = nil } }
    func get(_ table: String, _ key: [UInt8]) async throws -> [UInt8]? { try await call { $0[table]?[key] } }
    func set(_ table: String, _ key: [UInt8], _ value: [UInt8]) async throws {
        try await call { tables in
            guard tables[table] != nil else { throw self.missing(table) }
            tables[table]![key] = value
        }
    }
    func delete(_ table: String, _ key: [UInt8]) async throws { try await call { $0[table]?[key] = nil } }
    func list(_ table: String) async throws -> [(key: [UInt8], value: [UInt8])] {
        try await call { tables in (tables[table] ?? [:]).map { (key: $0.key, value: $0.value) } }
    }
    func compareAndSwap(_ table: String, _ key: [UInt8], old: [UInt8], new: [UInt8]) async throws -> SwapResult {
        throw DatabaseError(code: .unsupported, message: "not needed here")
    }
    func update(_ operations: [KVOperation]) async throws -> [KVResult] {
        throw DatabaseError(code: .unsupported, message: "not needed here")
    }
    func close() async {}

    func forEach(_ table: String, _ visit: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) async throws {
        try await call { tables in
            guard let entries = tables[table] else { throw self.missing(table) }
            for (key, value) in entries { guard try visit(key, value) else { return } }
        }
    }
}

private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs `body`, failing (instead of hanging the suite) when it has not finished in `seconds`.
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await body() }
    let done = DoneFlag()
    Task {
        _ = try? await task.value
        done.set()
    }
    let deadline = Date().addingTimeInterval(seconds)
    while !done.isSet {
        guard Date() < deadline else { throw APITestError("did not finish within \(seconds) s (deadlock?)") }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await task.value
}

private final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Collects an export in memory through a temporary file.
func exportToString(_ exporter: CertificateExporter) async throws -> (ExportSummary, String) {
    let directory = try TestEnvironment.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("out").path
    let summary = try await exporter.run(to: try ExportOutput.file(path))
    return (summary, try String(contentsOfFile: path, encoding: .utf8))
}

@Suite("step-ca db export: streaming in process")
struct DBExportStreamingTests {
    @Test("the listing queue spills instead of waiting when told to, and delivers every entry once, in order")
    func queueSpills() async throws {
        let queue = ListingQueue(capacity: 4, stallTimeout: nil)
        let producer = Thread {
            for index in 0..<500 { _ = try? queue.push(Array("k\(index)".utf8), Array(repeating: UInt8(index & 0xFF), count: index)) }
            queue.finish(nil)
        }
        producer.start()
        // Wait for the whole listing before taking anything: a consumer stuck behind it.
        while true {
            try await Task.sleep(nanoseconds: 20_000_000)
            if queue.spilledTotal == 496 { break }
        }
        var seen: [String] = []
        while let row = try await queue.next() {
            #expect(row.value == Array(repeating: UInt8(seen.count & 0xFF), count: seen.count))
            seen.append(String(decoding: row.key, as: UTF8.self))
        }
        #expect(seen == (0..<500).map { "k\($0)" })
    }

    @Test("with back-pressure the listing waits for the consumer and nothing spills")
    func queueWaits() async throws {
        // A stall longer than the timeout spills by design; a loaded CI machine can pause the
        // consumer for tens of seconds, so the timeout is far above any pause here.
        let queue = ListingQueue(capacity: 3, stallTimeout: 600)
        let producer = Thread {
            for index in 0..<200 { _ = try? queue.push(Array("k\(index)".utf8), []) }
            queue.finish(nil)
        }
        producer.start()
        var count = 0
        while try await queue.next() != nil {
            count += 1
            if count % 50 == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        }
        #expect(count == 200)
        #expect(queue.spilledTotal == 0)
    }

    @Test("a cancelled queue stops the listing; a listing error reaches the consumer")
    func queueCancelAndError() async throws {
        let queue = ListingQueue(capacity: 2, stallTimeout: 30)
        queue.cancel()
        #expect(try queue.push([1], [2]) == false)
        let failing = ListingQueue(capacity: 2, stallTimeout: 30)
        _ = try failing.push([1], [])
        failing.finish(DatabaseError(code: .unavailable, message: "gone"))
        await #expect(throws: DatabaseError.self) { _ = try await failing.next() }
    }

    @Test("the exporter finishes over a store that serialises its calls (spilling), and over one that blocks them despite claiming not to (stall detection)",
          arguments: [false, true])
    func serialisedStores(claimsConcurrentCalls: Bool) async throws {
        let store = SerialisingStore(claimsConcurrentCalls: claimsConcurrentCalls)
        try await ExportTestCertificates.fill(store, count: 300)
        var exporter = CertificateExporter(store: store, filter: ExportFilter(), format: .jsonl, now: Date())
        exporter.queueCapacity = 8
        exporter.stallTimeout = 0.2
        let configured = exporter
        let (summary, text) = try await withDeadline(60) { try await exportToString(configured) }
        #expect(summary.scanned == 300 && summary.written == 300 && summary.unreadable == 0)
        #expect(summary.spilled > 0)
        #expect(text.split(separator: "\n").count == 300)
        #expect(text.components(separatedBy: "\"status\":\"revoked\"").count - 1 == 30)
        #expect(text.components(separatedBy: "\"provisioner\":{\"name\":\"p1\",\"type\":\"JWK\",\"id\":\"p:1\",\"source\":\"data\"}").count - 1 == 100)
    }

    @Test("the exporter over the in-memory store: filters applied, nothing spills")
    func inMemory() async throws {
        let store = InMemoryStore()
        try await ExportTestCertificates.fill(store, count: 120)
        var filter = ExportFilter()
        filter.provisioners = ["p0", "p2"]
        filter.status = .active
        var exporter = CertificateExporter(store: store, filter: filter, format: .csv, now: Date())
        exporter.queueCapacity = 4
        // Only a real stall may spill, and only a real deadlock may time out: the whole suite runs
        // in parallel on two cores, where other tests' subprocess waits can hold the cooperative
        // threads for a long time.
        exporter.stallTimeout = 300
        let configured = exporter
        let (summary, text) = try await withDeadline(300) { try await exportToString(configured) }
        #expect(summary.scanned == 120)
        #expect(summary.spilled == 0)
        // p0 and p2: 80 certificates; every tenth is revoked (indexes 0, 10, ... are p0, p1, p2 in turn).
        let revokedAmongThem = (0..<120).filter { $0 % 10 == 0 && $0 % 3 != 1 }.count
        #expect(summary.written == 80 - revokedAmongThem)
        #expect(text.split(separator: "\r\n").count == summary.written + 1)
    }

    @Test("forEach through the sqlite plugin streams every entry, stops early, rethrows the visitor's error")
    func pluginForEach() async throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plugin = try PluginLoader(directories: [TestEnvironment.buildDirectory.path]).load(kind: .database, type: "sqlite")
        let store = try PluginDatabase(plugin: plugin, configJSON: #"{"type":"sqlite","dataSource":"\#(directory.path)/t.db"}"#,
                                       description: "test")
        #expect(store.servesCallsDuringListing == plugin.threadSafe)
        try await store.createTable("t")
        for index in 0..<50 { try await store.set("t", Array("k\(index)".utf8), Array(repeating: 7, count: index)) }
        let seen = Counter()
        try await store.forEach("t") { key, value in
            seen.add(key, value.count)
            return true
        }
        #expect(seen.count == 50 && seen.keys.count == 50)
        let few = Counter()
        try await store.forEach("t") { key, value in
            few.add(key, value.count)
            return few.count < 5
        }
        #expect(few.count == 5)
        await #expect(throws: ExportError.self) {
            try await store.forEach("t") { _, _ -> Bool in throw ExportError("stop") }
        }
        // A get from another thread while a listing is in progress (the exporter's pattern).
        let during = Counter()
        try await store.forEach("t") { key, _ in
            if during.count == 0 {
                let semaphore = DispatchSemaphore(value: 0)
                Task { _ = try? await store.get("t", key); semaphore.signal() }
                #expect(semaphore.wait(timeout: .now() + 30) == .success, "a get during a listing must not wait for it")
            }
            during.add(key, 0)
            return true
        }
        await #expect(throws: DatabaseError.self) { try await store.forEach("missing") { _, _ in true } }
        await store.close()
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [[UInt8]: Int] = [:]
    private var total = 0
    func add(_ key: [UInt8], _ size: Int) { lock.lock(); seen[key] = size; total += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return total }
    var keys: Set<[UInt8]> { lock.lock(); defer { lock.unlock() }; return Set(seen.keys) }
}

// MARK: - Formatting rules

@Suite("step-ca db export: formats")
struct DBExportFormatTests {
    @Test("RFC 3339 times: accepted forms", arguments: [
        ("2025-01-31T00:00:00Z", 1_738_281_600.0), ("2025-01-31t00:00:00z", 1_738_281_600.0), ("2025-01-31 00:00:00Z", 1_738_281_600.0),
        ("2025-01-31", 1_738_281_600.0), ("2025-01-31T01:30:00+01:30", 1_738_281_600.0), ("2025-01-30T20:00:00-04:00", 1_738_281_600.0),
        ("2025-01-31T00:00:00.5Z", 1_738_281_600.5), ("2024-02-29T12:00:00Z", 1_709_208_000.0), ("1969-12-31T23:59:59Z", -1.0),
    ])
    func times(text: String, seconds: Double) {
        #expect(ExportTime.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test("RFC 3339 times: refused forms", arguments: [
        "", "yesterday", "2025-1-31", "2025-02-30", "2023-02-29", "2025-13-01T00:00:00Z", "2025-01-31T24:00:00Z",
        "2025-01-31T00:00:00", "2025-01-31T00:00Z", "2025-01-31T00:00:00.Z", "2025-01-31T00:00:00+0100", "2025-01-31T00:00:00Z ",
        "1738281600",
    ])
    func badTimes(text: String) {
        #expect(ExportTime.parse(text) == nil)
    }

    @Test("RFC 4514 escaping as Python's cryptography writes it")
    func distinguishedNames() {
        #expect(DistinguishedNameText.escape("plain") == "plain")
        #expect(DistinguishedNameText.escape("a,b+c;d<e>f\"g\\h") == #"a\,b\+c\;d\<e\>f\"g\\h"#)
        #expect(DistinguishedNameText.escape("#x") == ##"\#x"##)
        #expect(DistinguishedNameText.escape(" x ") == #"\ x\ "#)
        #expect(DistinguishedNameText.escape("a\u{0}b") == #"a\00b"#)
        #expect(DistinguishedNameText.escape("") == "")
    }

    func record(_ mutate: (inout ExportRecord) -> Void) -> ExportRecord {
        var record = ExportRecord(serial: "12345")
        record.subject = "CN=a\\,b \"q\""
        record.sans = .init(dns: ["a.example"], ip: ["10.0.0.1", "::1"], email: ["x@example.com"], uri: ["spiffe://e/x"])
        record.notBefore = Date(timeIntervalSince1970: 1_738_281_600)
        record.notAfter = Date(timeIntervalSince1970: 1_738_368_000)
        record.status = .active
        mutate(&record)
        return record
    }

    @Test("JSON lines: control characters escaped, unknowns null, the line parses")
    func jsonLine() throws {
        var bytes: [UInt8] = []
        JSONLinesFormatter().append(record {
            $0.error = "bad\n\u{1}\t\"x\"\\ é"
            $0.revocation = .init(reasonCode: 4, reason: nil, revokedAt: Date(timeIntervalSince1970: 1_738_281_600.25))
            $0.status = .revoked
        }, to: &bytes)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["error"] as? String == "bad\n\u{1}\t\"x\"\\ é")
        #expect(object["subject"] as? String == "CN=a\\,b \"q\"")
        #expect(object["notBefore"] as? String == "2025-01-31T00:00:00Z")
        #expect(object["revokedAt"] as? String == "2025-01-31T00:00:00.25Z")
        #expect(object["reasonCode"] as? Int == 4)
        #expect(object["reason"] is NSNull)
        #expect(object["provisioner"] is NSNull)
        #expect(object["revoked"] as? Bool == true)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("{\"serial\":\"12345\",\"subject\":"))
    }

    @Test("CSV: header, quoting only when needed, SANs typed and space-separated, CRLF")
    func csvRow() {
        let formatter = CSVFormatter()
        var bytes: [UInt8] = formatter.header
        formatter.append(record { $0.revocation = .init(reasonCode: 1, reason: "line1\nline2, \"q\"", revokedAt: nil) ; $0.status = .revoked }, to: &bytes)
        formatter.append(ExportRecord(serial: "9", error: "x"), to: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        let expected = CSVFormatter.columns.joined(separator: ",") + "\r\n"
            + "12345,\"CN=a\\,b \"\"q\"\"\",dns:a.example ip:10.0.0.1 ip:::1 email:x@example.com uri:spiffe://e/x,"
            + "2025-01-31T00:00:00Z,2025-02-01T00:00:00Z,revoked,,,,,true,1,\"line1\nline2, \"\"q\"\"\",,\r\n"
            + "9,,,,,,,,,,false,,,,x\r\n"
        #expect(text == expected)
        #expect(CSVFormatter.columns == ["serial", "subject", "sans", "notBefore", "notAfter", "status", "provisionerName",
                                         "provisionerType", "provisionerId", "provisionerSource", "revoked", "reasonCode",
                                         "reason", "revokedAt", "error"])
    }

    @Test("filters: windows are half-open, an unreadable record always passes")
    func filterRules() {
        let at = Date(timeIntervalSince1970: 1_000)
        var filter = ExportFilter()
        filter.notAfterFrom = at
        filter.notAfterTo = at.addingTimeInterval(10)
        var record = ExportRecord(serial: "1", notAfter: at, status: .active)
        #expect(filter.admits(record))
        record.notAfter = at.addingTimeInterval(10)
        #expect(!filter.admits(record))
        record.notAfter = nil
        record.error = "unreadable"
        #expect(filter.admits(record))
        filter.status = .expired
        filter.provisioners = ["x"]
        #expect(filter.admits(record))
    }
}
