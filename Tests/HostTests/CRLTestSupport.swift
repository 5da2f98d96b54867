import Foundation
import Testing

// Support for the CRL suites: ca.json edits, the plain-HTTP listener, and CRLs read by two
// parsers independent of ours (`openssl crl` and Python's `cryptography`).

/// Facts about a CRL as Python's `cryptography` reads it.
struct CRLFacts {
    struct Entry {
        let serial: String
        let revokedAt: Int
        /// The CRLReason name (`key_compromise`…), nil when the entry has no reasonCode extension.
        let reason: String?
        let extensionOIDs: [String]
    }

    let raw: [String: Any]

    var number: Int? { raw["number"] as? Int }
    var signatureValid: Bool { raw["signature_valid"] as? Bool ?? false }
    var issuerMatches: Bool { raw["issuer_matches"] as? Bool ?? false }
    var thisUpdate: Int { raw["this_update"] as? Int ?? 0 }
    var nextUpdate: Int { raw["next_update"] as? Int ?? 0 }
    var signatureOID: String { raw["signature_oid"] as? String ?? "" }
    var extensionOIDs: [String] { (raw["extensions"] as? [[String: Any]] ?? []).compactMap { $0["oid"] as? String } }
    func isCritical(_ oid: String) -> Bool? {
        (raw["extensions"] as? [[String: Any]] ?? []).first { $0["oid"] as? String == oid }?["critical"] as? Bool
    }
    var authorityKeyIdentifier: String? { raw["aki"] as? String }
    var distributionPointURIs: [String] { (raw["idp"] as? [String: Any])?["full_name"] as? [String] ?? [] }
    var idpFlags: [String: Bool] { (raw["idp"] as? [String: Any])?["flags"] as? [String: Bool] ?? [:] }
    var entries: [Entry] {
        (raw["entries"] as? [[String: Any]] ?? []).map {
            Entry(serial: $0["serial"] as? String ?? "", revokedAt: $0["revoked_at"] as? Int ?? 0,
                  reason: $0["reason"] as? String, extensionOIDs: $0["extension_oids"] as? [String] ?? [])
        }
    }
}

enum CRLInspector {
    private static let script = #"""
import json, sys, datetime
from cryptography import x509

crl = x509.load_der_x509_crl(open(sys.argv[1], "rb").read())
issuer = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
def ts(obj, name):
    value = getattr(obj, name + "_utc", None)
    if value is None:
        value = getattr(obj, name).replace(tzinfo=datetime.timezone.utc)
    return int(value.timestamp())
out = {
    "signature_valid": crl.is_signature_valid(issuer.public_key()),
    "issuer_matches": crl.issuer == issuer.subject,
    "this_update": ts(crl, "last_update"),
    "next_update": ts(crl, "next_update"),
    "signature_oid": crl.signature_algorithm_oid.dotted_string,
    "extensions": [{"oid": e.oid.dotted_string, "critical": e.critical} for e in crl.extensions],
    "entries": [],
}
for e in crl.extensions:
    v = e.value
    if isinstance(v, x509.CRLNumber):
        out["number"] = v.crl_number
    elif isinstance(v, x509.AuthorityKeyIdentifier):
        out["aki"] = v.key_identifier.hex() if v.key_identifier else None
    elif isinstance(v, x509.IssuingDistributionPoint):
        out["idp"] = {
            "full_name": [n.value for n in (v.full_name or [])],
            "flags": {"only_user": v.only_contains_user_certs, "only_ca": v.only_contains_ca_certs,
                      "indirect": v.indirect_crl, "only_attribute": v.only_contains_attribute_certs,
                      "some_reasons": v.only_some_reasons is not None, "relative_name": v.relative_name is not None},
        }
for r in crl:
    reason = None
    for ext in r.extensions:
        if isinstance(ext.value, x509.CRLReason):
            reason = ext.value.reason.name
    out["entries"].append({"serial": str(r.serial_number), "revoked_at": ts(r, "revocation_date"), "reason": reason,
                           "extension_oids": [ext.oid.dotted_string for ext in r.extensions]})
print(json.dumps(out))
"""#

    /// The facts of a DER CRL checked against `issuerPEMPath`, or nil (an issue in CI, a note
    /// elsewhere) when python3 with `cryptography` is missing.
    static func inspect(der: Data, issuerPEMPath: String, scratch: String) throws -> CRLFacts? {
        guard let python3 = APITools.python3, APITools.pythonCryptography else {
            if TestEnvironment.isCI {
                Issue.record("python3 with the cryptography package is required in CI")
            } else {
                print("skipping the CRL inspection: python3 with the cryptography package is not installed")
            }
            return nil
        }
        let path = scratch + "-inspect.crl"
        try der.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Run.program(python3, ["-c", script, path, issuerPEMPath], timeout: 60)
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw APITestError("python could not read the CRL: \(result.stderr)")
        }
        return CRLFacts(raw: object)
    }

    /// `openssl crl -inform DER -text -noout`.
    static func opensslText(der: Data, scratch: String) throws -> String {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let path = scratch + "-text.crl"
        try der.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Run.program(openssl, ["crl", "-inform", "DER", "-in", path, "-text", "-noout"])
        guard result.status == 0 else { throw APITestError("openssl crl -text failed: \(result.stderr)") }
        return result.stdout
    }

    /// `openssl crl -verify -CAfile issuer`: true when openssl says the signature is good.
    static func opensslVerify(der: Data, issuerPEMPath: String, scratch: String) throws -> (ok: Bool, output: String) {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let path = scratch + "-verify.crl"
        try der.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Run.program(openssl, ["crl", "-inform", "DER", "-in", path, "-noout", "-verify", "-CAfile", issuerPEMPath])
        let output = result.stdout + result.stderr
        return (result.status == 0 && output.contains("verify OK"), output)
    }
}

/// ca.json edits and the plain-HTTP listener of a live CA.
enum CRLLive {
    /// A `LiveCA` ca.json edit: parse, change, write back with sorted keys (so that writing the
    /// same object twice gives the same text).
    static func editing(_ change: @escaping (inout [String: Any]) -> Void) -> (String) throws -> String {
        { text in
            guard var config = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw APITestError("ca.json is not an object")
            }
            change(&config)
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The port of the "Serving HTTP on host:port ..." start-up line, waiting for it a little.
    static func insecurePort(_ ca: LiveCA, timeout: TimeInterval = 15) throws -> Int {
        try insecurePort(output: { ca.serverOutput }, timeout: timeout)
    }

    static func insecurePort(output: () -> String, timeout: TimeInterval = 15) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = output()
            if let range = text.range(of: "Serving HTTP on "), let end = text[range.upperBound...].range(of: " ...") {
                let address = text[range.upperBound..<end.lowerBound]
                if let port = address.split(separator: ":").last.flatMap({ Int($0) }) { return port }
            }
            guard Date() < deadline else { throw APITestError("no \"Serving HTTP on\" line:\n\(text)") }
            usleep(50_000)
        }
    }

    static func send(_ ca: LiveCA, port: Int, _ path: String, method: String = "GET") throws -> HTTPResult {
        try send(scratch: ca.scratchPath(""), port: port, path, method: method)
    }

    /// One plain-HTTP request with curl; `scratch` is a path prefix for curl's files.
    static func send(scratch base: String, port: Int, _ path: String, method: String = "GET") throws -> HTTPResult {
        let curl = try APITools.path(APITools.curl, "curl")
        var arguments = ["-sS", "--max-time", "30", "-D", base + ".headers", "-o", base + ".body", "-w", "%{http_code}"]
        if method == "HEAD" { arguments.append("--head") } else if method != "GET" { arguments += ["-X", method] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let result = try Run.program(curl, arguments)
        defer { for suffix in [".headers", ".body"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        var headers: [String: String] = [:]
        let headerText = (try? String(contentsOfFile: base + ".headers", encoding: .utf8)) ?? ""
        for line in headerText.replacingOccurrences(of: "\r", with: "").split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResult(status: Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, headers: headers,
                          body: FileManager.default.contents(atPath: base + ".body") ?? Data(), curlExit: result.status,
                          curlError: result.stderr)
    }

    /// The stored `x509_crl` record, parsed.
    static func storedRecord(_ ca: LiveCA) throws -> (text: String, json: [String: Any])? {
        try storedRecord(databasePath: ca.databasePath)
    }

    /// The `x509_crl` record of a sqlite database file, read with the sqlite3 CLI.
    static func storedRecord(databasePath: String) throws -> (text: String, json: [String: Any])? {
        let sqlite3 = try APITools.path(APITools.sqlite3, "sqlite3")
        let result = try Run.program(sqlite3, ["-cmd", ".timeout 10000", databasePath,
                                               "SELECT CAST(nvalue AS TEXT) FROM x509_crl WHERE nkey = CAST('crl' AS BLOB);"])
        guard result.status == 0 else { throw APITestError("sqlite3 failed: \(result.stderr)") }
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return (text, json)
    }

    /// Go's RFC 1123 (`Mon, 02 Jan 2006 15:04:05 UTC`) of seconds since 1970.
    static func rfc1123(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) + " UTC"
    }
}
