import Foundation
import Testing
import StepCrypto
import SwiftASN1
import X509

// Support for the live API suites: one real `step-ca` process per suite (the `.liveCA` trait),
// requests through curl, CSRs and keys from the openssl CLI, tokens signed in-process with
// StepCrypto, certificates inspected with Python's `cryptography`, the database read with the
// sqlite3 CLI.

/// A failure of the test harness itself (not of the server under test).
struct APITestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The external programs the live API suites use.
enum APITools {
    static let curl = TestEnvironment.tool("curl")
    static let openssl = TestEnvironment.tool("openssl")
    static let sqlite3 = TestEnvironment.tool("sqlite3")
    static let python3 = TestEnvironment.tool("python3")

    /// Whether the live suites run: always in CI (where a missing tool then fails the tests),
    /// elsewhere only when curl, openssl and sqlite3 are all installed.
    static let runnable: Bool = {
        if TestEnvironment.isCI { return true }
        let missing = [("curl", curl), ("openssl", openssl), ("sqlite3", sqlite3)].filter { $0.1 == nil }.map(\.0)
        if !missing.isEmpty { print("skipping the live API suites: \(missing.joined(separator: ", ")) not installed") }
        return missing.isEmpty
    }()

    static func path(_ tool: String?, _ name: String) throws -> String {
        guard let tool else { throw APITestError("\(name) is not installed") }
        return tool
    }

    /// Whether python3 can import `cryptography` (checked once).
    static let pythonCryptography: Bool = {
        guard let python3, let result = try? Run.program(python3, ["-c", "import cryptography"], timeout: 60) else { return false }
        return result.status == 0
    }()
}

/// step-ca's response bodies: `{"status":N,"message":"..."}` plus Go's trailing newline.
enum StepMessages {
    static let unauthorized = "The request lacked necessary authorization to be completed. Please see the certificate authority logs for more info."
    static let notFound = "The requested resource could not be found. Please see the certificate authority logs for more info."
    static let internalError = "The certificate authority encountered an Internal Server Error. Please see the certificate authority logs for more info."
    static let notImplemented = "The requested method is not implemented by the certificate authority. Please see the certificate authority logs for more info."

    static func badRequest(_ text: String) -> String { "The request could not be completed: \(text)." }
    static func forbidden(_ text: String) -> String { "The request was forbidden by the certificate authority: \(text)." }

    /// The exact error body Go's JSON encoder writes.
    static func body(status: Int, message: String) -> String {
        "{\"status\":\(status),\"message\":\(goQuoted(message))}\n"
    }

    /// A JSON string as Go's encoding/json writes it (HTML characters escaped).
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// One HTTP exchange as curl saw it.
struct HTTPResult: CustomStringConvertible {
    /// The HTTP status, or 0 when no response arrived (e.g. the TLS handshake failed).
    var status: Int
    /// Header names lower-cased; the last response's headers only.
    var headers: [String: String]
    var body: Data
    var curlExit: Int32
    var curlError: String

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var description: String {
        "HTTP \(status) \(text.prefix(600))" + (curlExit == 0 ? "" : " (curl exit \(curlExit): \(curlError.trimmingCharacters(in: .whitespacesAndNewlines)))")
    }
}

/// A client certificate and key for mutual TLS.
struct ClientIdentity: Sendable {
    let certificatePath: String
    let keyPath: String
}

/// A request to send with curl.
struct HTTPCall: Sendable {
    var method = "GET"
    var path: String
    var body: Data?
    var headers: [String: String] = [:]
    var client: ClientIdentity?
    /// Forces HTTP/1.1 (curl negotiates HTTP/2 through ALPN otherwise).
    var http1Only = false

    static func get(_ path: String, headers: [String: String] = [:]) -> HTTPCall {
        HTTPCall(method: "GET", path: path, headers: headers)
    }

    static func post(_ path: String, body: Data?, headers: [String: String] = [:], client: ClientIdentity? = nil) -> HTTPCall {
        HTTPCall(method: "POST", path: path, body: body, headers: headers, client: client)
    }

    static func post(_ path: String, json: [String: Any], headers: [String: String] = [:], client: ClientIdentity? = nil) throws -> HTTPCall {
        .post(path, body: try JSONSerialization.data(withJSONObject: json), headers: headers, client: client)
    }
}

/// The kinds of keys the suites put in CSRs.
enum KeyKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case rsa2048, p256, p384, p521, ed25519, rsa1024

    var testDescription: String { rawValue }

    var opensslArguments: [String] {
        switch self {
        case .rsa2048: return ["-newkey", "rsa:2048"]
        case .rsa1024: return ["-newkey", "rsa:1024"]
        case .p256: return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .p384: return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]
        case .p521: return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"]
        case .ed25519: return ["-newkey", "ed25519"]
        }
    }

    var isRSA: Bool { self == .rsa2048 || self == .rsa1024 }
}

/// A CSR made with the openssl CLI, with its private key.
struct GeneratedCSR {
    let pem: String
    let der: Data
    let keyPath: String
    let keyPEM: String
}

/// A certificate the live CA issued for a test.
struct IssuedLeaf {
    let response: HTTPResult
    let leafPEM: String
    let chainPEMs: [String]
    let certificate: Certificate
    let serial: String
    let certificatePath: String
    let keyPath: String
    let keyPEM: String
    let commonName: String

    var identity: ClientIdentity { ClientIdentity(certificatePath: certificatePath, keyPath: keyPath) }
}

/// Facts about a certificate as Python's `cryptography` package reads it.
struct CertificateFacts {
    let raw: [String: Any]

    var serial: String { raw["serial"] as? String ?? "" }
    var subject: String { raw["subject"] as? String ?? "" }
    var issuer: String { raw["issuer"] as? String ?? "" }
    var commonNames: [String] { raw["common_names"] as? [String] ?? [] }
    var notBefore: Int { raw["not_before"] as? Int ?? 0 }
    var notAfter: Int { raw["not_after"] as? Int ?? 0 }
    var publicKeyDER: String { raw["public_key"] as? String ?? "" }
    var extensionOIDs: [String] { raw["extension_oids"] as? [String] ?? [] }
    private var extensions: [String: [String: Any]] { raw["extensions"] as? [String: [String: Any]] ?? [:] }

    func extensionInfo(_ oid: String) -> [String: Any]? { extensions[oid] }
    func isCritical(_ oid: String) -> Bool? { extensions[oid]?["critical"] as? Bool }

    var dnsNames: [String] { extensions["2.5.29.17"]?["dns"] as? [String] ?? [] }
    var ipAddresses: [String] { extensions["2.5.29.17"]?["ip"] as? [String] ?? [] }
    var emailAddresses: [String] { extensions["2.5.29.17"]?["email"] as? [String] ?? [] }
    var uris: [String] { extensions["2.5.29.17"]?["uri"] as? [String] ?? [] }
    var keyUsage: Set<String> { Set(extensions["2.5.29.15"]?["usages"] as? [String] ?? []) }
    var extendedKeyUsage: [String] { extensions["2.5.29.37"]?["oids"] as? [String] ?? [] }
    var subjectKeyIdentifier: String? { extensions["2.5.29.14"]?["digest"] as? String }
    var authorityKeyIdentifier: String? { extensions["2.5.29.35"]?["key_identifier"] as? String }
    var provisionerExtensionHex: String? { extensions[LiveCA.provisionerExtensionOID]?["value"] as? String }
}

/// Reads certificates with Python's `cryptography`: an implementation independent of ours.
enum CertificateInspector {
    private static let script = #"""
import json, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
def ts(name):
    value = getattr(cert, name + "_utc", None)
    if value is None:
        import datetime
        value = getattr(cert, name).replace(tzinfo=datetime.timezone.utc)
    return int(value.timestamp())
out = {
    "serial": str(cert.serial_number),
    "subject": cert.subject.rfc4514_string(),
    "issuer": cert.issuer.rfc4514_string(),
    "common_names": [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)],
    "not_before": ts("not_valid_before"),
    "not_after": ts("not_valid_after"),
    "public_key": cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo).hex(),
    "extension_oids": [e.oid.dotted_string for e in cert.extensions],
    "extensions": {},
}
for e in cert.extensions:
    entry = {"critical": e.critical}
    v = e.value
    if isinstance(v, x509.SubjectAlternativeName):
        entry["dns"] = v.get_values_for_type(x509.DNSName)
        entry["ip"] = [str(i) for i in v.get_values_for_type(x509.IPAddress)]
        entry["email"] = v.get_values_for_type(x509.RFC822Name)
        entry["uri"] = v.get_values_for_type(x509.UniformResourceIdentifier)
    elif isinstance(v, x509.KeyUsage):
        names = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                 "key_agreement", "key_cert_sign", "crl_sign"]
        entry["usages"] = [n for n in names if getattr(v, n)]
    elif isinstance(v, x509.ExtendedKeyUsage):
        entry["oids"] = [o.dotted_string for o in v]
    elif isinstance(v, x509.SubjectKeyIdentifier):
        entry["digest"] = v.digest.hex()
    elif isinstance(v, x509.AuthorityKeyIdentifier):
        entry["key_identifier"] = v.key_identifier.hex() if v.key_identifier else None
    elif isinstance(v, x509.BasicConstraints):
        entry["ca"] = v.ca
    elif isinstance(v, x509.UnrecognizedExtension):
        entry["value"] = v.value.hex()
    out["extensions"][e.oid.dotted_string] = entry
print(json.dumps(out))
"""#

    /// The facts of `pem`, or nil (with an issue in CI, a note elsewhere) when python3 or its
    /// `cryptography` package is missing.
    static func inspect(_ pem: String, scratch: URL) throws -> CertificateFacts? {
        guard let python3 = APITools.python3, APITools.pythonCryptography else {
            if TestEnvironment.isCI {
                Issue.record("python3 with the cryptography package is required in CI")
            } else {
                print("skipping the certificate inspection: python3 with the cryptography package is not installed")
            }
            return nil
        }
        let file = scratch.appendingPathComponent("inspect-\(UUID().uuidString).pem")
        try pem.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Run.program(python3, ["-c", script, file.path], timeout: 60)
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw APITestError("python could not read the certificate: \(result.stderr)")
        }
        return CertificateFacts(raw: object)
    }
}

/// PEM, hex and serial helpers.
enum Encoding {
    static func der(fromPEM pem: String) throws -> Data {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { throw APITestError("not PEM: \(pem.prefix(80))") }
        return data
    }

    static func pem(_ der: Data, type: String) -> String {
        let base64 = der.base64EncodedString()
        var lines: [String] = []
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        return "-----BEGIN \(type)-----\n" + lines.joined(separator: "\n") + "\n-----END \(type)-----\n"
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex hex: String) -> Data? {
        var data = Data()
        var iterator = hex.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            data.append(byte)
        }
        return data
    }

    /// The decimal text of a big-endian unsigned integer.
    static func decimal<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var digits = Array(bytes.drop { $0 == 0 })
        if digits.isEmpty { return "0" }
        var result: [Character] = []
        while !digits.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            for byte in digits {
                let value = remainder * 256 + Int(byte)
                let q = value / 10
                remainder = value % 10
                if !quotient.isEmpty || q != 0 { quotient.append(UInt8(q)) }
            }
            result.append(Character(String(remainder)))
            digits = quotient
        }
        return String(result.reversed())
    }

    static func randomHex(_ count: Int) -> String {
        hex((0..<count).map { _ in UInt8.random(in: 0...255) })
    }

    /// RFC 3339 in UTC, whole seconds.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: floor(date.timeIntervalSince1970)))
    }

    /// Go's `%v` of a UTC `time.Time`: `2006-01-02 15:04:05 +0000 UTC`.
    static func goTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date) + " +0000 UTC"
    }

    /// The SAN kinds of step's `SplitSANs`: IP, URI (a URL with a scheme), email, else DNS.
    static func openSSLSubjectAltName(_ value: String) -> String {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, value, &v4) == 1 || inet_pton(AF_INET6, value, &v6) == 1 { return "IP:\(value)" }
        if let colon = value.firstIndex(of: ":"), value[..<colon].first?.isLetter == true,
           value[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) {
            return "URI:\(value)"
        }
        if value.contains("@") { return "email:\(value)" }
        return "DNS:\(value)"
    }
}

/// A running `step-ca` on a copy of the step-ca 0.19 fixture PKI (sqlite database, a free
/// port), with the fixture's JWK provisioner key decrypted for making tokens.
final class LiveCA: @unchecked Sendable {
    @TaskLocal static var current: LiveCA?

    static let provisionerName = "anchor@example.com"
    static let provisionerKID = "MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE"
    static let provisionerID = "\(provisionerName):\(provisionerKID)"
    static let rootFingerprint = "1daed69fb66388545a6ea1d8083a87896bce31a499ede31fe9e89379f18ba272"
    static let provisionerExtensionOID = "1.3.6.1.4.1.37476.9000.64.1"
    static let serverAuth = "1.3.6.1.5.5.7.3.1"
    static let clientAuth = "1.3.6.1.5.5.7.3.2"

    /// The CA of the current suite.
    static func get() throws -> LiveCA {
        guard let ca = current else { throw APITestError("no live CA: the suite needs the .liveCA trait") }
        return ca
    }

    let directory: URL
    let scratch: URL
    let stepPath: URL
    let configPath: String
    let rootPath: String
    let intermediatePath: String
    let databasePath: String
    let passwordPath: String
    let rootPEM: String
    let intermediatePEM: String
    let provisionerKey: PrivateKeyMaterial
    /// Taken just before the server was launched: the CA's start time is at or after it.
    let launchedAt: Date
    private let server: ServerProcess
    /// Whether ``stop()`` removes the directory (false for a second instance).
    private let ownsDirectory: Bool

    var port: Int { server.port }
    var baseURL: String { "https://localhost:\(port)" }

    /// - Parameter sortedConfig: write ca.json with its object keys sorted instead of in the
    ///   fixture's (step's) order.
    /// - Parameter database: the ca.json `db` object to use instead of a sqlite file.
    /// - Parameter adjust: edits the ca.json text (after the `db` and port changes) before the
    ///   server starts.
    /// - Parameter environment: extra environment variables for the server process.
    init(sortedConfig: Bool = false, database: String? = nil, adjust: ((String) throws -> String)? = nil,
         environment: [String: String] = [:]) throws {
        directory = try TestEnvironment.temporaryDirectory()
        ownsDirectory = true
        do {
            scratch = directory.appendingPathComponent("scratch")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            stepPath = try Self.fixtureStepPath(in: directory, sortedConfig: sortedConfig, database: database, adjust: adjust)
            configPath = stepPath.appendingPathComponent("config/ca.json").path
            rootPath = stepPath.appendingPathComponent("certs/root_ca.crt").path
            intermediatePath = stepPath.appendingPathComponent("certs/intermediate_ca.crt").path
            databasePath = stepPath.appendingPathComponent("db/ca.db").path
            passwordPath = TestEnvironment.fixtures.appendingPathComponent("password.txt").path
            rootPEM = try String(contentsOfFile: rootPath, encoding: .utf8)
            intermediatePEM = try String(contentsOfFile: intermediatePath, encoding: .utf8)

            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any]
            let provisioners = (config?["authority"] as? [String: Any])?["provisioners"] as? [[String: Any]]
            guard let encrypted = provisioners?.first?["encryptedKey"] as? String else {
                throw APITestError("the fixture ca.json has no encryptedKey")
            }
            let password = try String(contentsOfFile: passwordPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            provisionerKey = try JWE.decryptJWK(compact: encrypted, password: Data(password.utf8)).privateKeyMaterial()

            launchedAt = Date()
            server = try ServerProcess(arguments: [configPath, "--password-file", passwordPath],
                                       environment: environment.merging(["STEPPATH": stepPath.path]) { _, new in new })
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        LiveCA.register(server.process.processIdentifier)
    }

    /// Another `step-ca` process on the same STEPPATH, ca.json and database (a second instance
    /// behind a load balancer). Stopping it leaves the files to `other`.
    init(anotherInstanceOf other: LiveCA) throws {
        directory = other.directory
        ownsDirectory = false
        scratch = other.scratch
        stepPath = other.stepPath
        configPath = other.configPath
        rootPath = other.rootPath
        intermediatePath = other.intermediatePath
        databasePath = other.databasePath
        passwordPath = other.passwordPath
        rootPEM = other.rootPEM
        intermediatePEM = other.intermediatePEM
        provisionerKey = other.provisionerKey
        launchedAt = Date()
        server = try ServerProcess(arguments: [configPath, "--password-file", passwordPath],
                                   environment: ["STEPPATH": stepPath.path])
        LiveCA.register(server.process.processIdentifier)
    }

    /// Asks the server to stop (SIGTERM) without waiting for it.
    func requestShutdown() {
        Glibc.kill(server.process.processIdentifier, SIGTERM)
    }

    /// Asks the server to reload its configuration (SIGHUP).
    func reload() {
        Glibc.kill(server.process.processIdentifier, SIGHUP)
    }

    /// Waits for the server process to exit and returns its exit status, or nil if it is still
    /// running after `timeout` seconds (it is then killed, so that a hang fails the test instead
    /// of stalling the run).
    func waitForExit(timeout: TimeInterval = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while server.process.isRunning, Date() < deadline { usleep(20_000) }
        guard !server.process.isRunning else {
            kill()
            return nil
        }
        return server.process.terminationStatus
    }

    /// Kills the server process at once (SIGKILL), as a crash would.
    func kill() {
        Glibc.kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
    }

    /// The server's output so far (its log lines).
    var serverOutput: String { server.output }

    /// A copy of the step-ca 0.19 fixture STEPPATH with `db` switched to sqlite and port 0. The
    /// rest of ca.json keeps its bytes (and so step's field order) unless `sortedConfig`.
    static func fixtureStepPath(in directory: URL, sortedConfig: Bool, database: String? = nil,
                                adjust: ((String) throws -> String)? = nil) throws -> URL {
        let stepPath = directory.appendingPathComponent("steppath")
        try FileManager.default.copyItem(at: TestEnvironment.fixtures.appendingPathComponent("steppath"), to: stepPath)
        let configURL = stepPath.appendingPathComponent("config/ca.json")
        var text = try String(contentsOf: configURL, encoding: .utf8)
        guard let dbStart = text.range(of: "\"db\": {"), let dbEnd = text[dbStart.upperBound...].range(of: "}") else {
            throw APITestError("the fixture ca.json has no db stanza")
        }
        text.replaceSubrange(dbStart.lowerBound..<dbEnd.upperBound, with: "\"db\": " + (database ?? "{\"type\": \"sqlite\", \"dataSource\": \"db/ca.db\"}"))
        let address = "\"address\": \"127.0.0.1:9443\""
        guard text.contains(address) else { throw APITestError("the fixture ca.json has no address 127.0.0.1:9443") }
        text = text.replacingOccurrences(of: address, with: "\"address\": \"127.0.0.1:0\"")
        if sortedConfig {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self)
        }
        if let adjust { text = try adjust(text) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configURL.path)
        try text.write(to: configURL, atomically: true, encoding: .utf8)
        return stepPath
    }

    func stop() {
        let pid = server.process.processIdentifier
        server.stop()
        LiveCA.unregister(pid)
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A fresh path in the suite's scratch directory.
    func scratchPath(_ suffix: String) -> String {
        scratch.appendingPathComponent("\(UUID().uuidString)\(suffix)").path
    }

    // MARK: HTTP

    private struct Launched {
        let process: Process
        let base: String
    }

    private func launch(_ call: HTTPCall) throws -> Launched {
        let curl = try APITools.path(APITools.curl, "curl")
        let base = scratchPath("")
        var arguments = ["-sS", "--max-time", "60", "--cacert", rootPath, "--resolve", "localhost:\(port):127.0.0.1",
                         "-D", base + ".headers", "-o", base + ".body", "-w", "%{http_code}"]
        switch call.method {
        case "GET": break
        case "HEAD": arguments.append("--head")
        default: arguments += ["-X", call.method]
        }
        for (name, value) in call.headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        if let body = call.body {
            try body.write(to: URL(fileURLWithPath: base + ".request"))
            arguments += ["--data-binary", "@" + base + ".request"]
            if !call.headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                arguments += ["-H", "Content-Type: application/json"]
            }
        }
        if let client = call.client { arguments += ["--cert", client.certificatePath, "--key", client.keyPath] }
        if call.http1Only { arguments.append("--http1.1") }
        arguments.append(baseURL + call.path)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: base + ".out")
        process.standardError = FileHandle(forWritingAtPath: base + ".err")
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Launched(process: process, base: base)
    }

    private func collect(_ launched: Launched) -> HTTPResult {
        launched.process.waitUntilExit()
        let base = launched.base
        func read(_ suffix: String) -> Data { FileManager.default.contents(atPath: base + suffix) ?? Data() }
        let code = Int(String(decoding: read(".out"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        var headers: [String: String] = [:]
        // Split on bytes: "\r\n" is one Character in Swift, so string splitting on "\n" misses it.
        let lines = read(".headers").split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0.filter { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        }
        if let start = lines.lastIndex(where: { $0.hasPrefix("HTTP/") }) {
            for line in lines[(start + 1)...] {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let result = HTTPResult(status: code, headers: headers, body: read(".body"), curlExit: launched.process.terminationStatus,
                                curlError: String(decoding: read(".err"), as: UTF8.self))
        for suffix in [".out", ".err", ".headers", ".body", ".request"] { try? FileManager.default.removeItem(atPath: base + suffix) }
        return result
    }

    /// Sends one request and waits for its answer.
    func send(_ call: HTTPCall) throws -> HTTPResult {
        collect(try launch(call))
    }

    /// Sends all requests at once (one curl process each) and waits for every answer.
    func sendConcurrently(_ calls: [HTTPCall]) throws -> [HTTPResult] {
        let launched = try calls.map { try launch($0) }
        return launched.map { collect($0) }
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try send(.get(path, headers: headers))
    }

    func post(_ path: String, json: [String: Any], client: ClientIdentity? = nil, headers: [String: String] = [:]) throws -> HTTPResult {
        try send(try .post(path, json: json, headers: headers, client: client))
    }

    func post(_ path: String, raw: String, client: ClientIdentity? = nil, headers: [String: String] = [:]) throws -> HTTPResult {
        try send(.post(path, body: Data(raw.utf8), headers: headers, client: client))
    }

    // MARK: Tokens

    /// A JWK one-time token as `step ca token` makes it (reference §2.2), signed with the
    /// fixture provisioner key unless another key is given; `adjust` changes any claim.
    func token(subject: String, sans: [String]? = nil, purpose: String = "sign",
               key: PrivateKeyMaterial? = nil, keyID: String? = LiveCA.provisionerKID,
               adjust: (inout JWTClaims) -> Void = { _ in }) throws -> String {
        try JWS.sign(claims: tokenClaims(subject: subject, sans: sans, purpose: purpose, adjust: adjust),
                     key: key ?? provisionerKey, keyID: keyID)
    }

    func tokenClaims(subject: String, sans: [String]? = nil, purpose: String = "sign",
                     adjust: (inout JWTClaims) -> Void = { _ in }) -> JWTClaims {
        let now = Date()
        var claims = JWTClaims(
            issuer: Self.provisionerName, subject: subject, audience: ["\(baseURL)/1.0/\(purpose)"],
            expiry: NumericDate(now.addingTimeInterval(300)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: Encoding.randomHex(32), privateClaims: ["sha": .string(Self.rootFingerprint)])
        if purpose == "sign" {
            claims.privateClaims["sans"] = .array((sans ?? [subject]).map { .string($0) })
        }
        adjust(&claims)
        return claims
    }

    /// The renew token of reference §1.4: signed by the certificate's key, the chain in the
    /// `x5cInsecure` header.
    func renewToken(for leaf: IssuedLeaf, key: PrivateKeyMaterial? = nil,
                    adjust: (inout JWTClaims) -> Void = { _ in }) throws -> String {
        let now = Date()
        var claims = JWTClaims(
            issuer: "step-ca-client/1.0", subject: leaf.commonName, audience: ["\(baseURL)/1.0/renew"],
            expiry: NumericDate(now.addingTimeInterval(300)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: Encoding.randomHex(32))
        adjust(&claims)
        let chain = try [leaf.leafPEM, intermediatePEM].map { try Encoding.der(fromPEM: $0).base64EncodedString() }
        let signingKey = try key ?? PrivateKeyFile.read(pem: leaf.keyPEM, password: nil)
        return try JWS.sign(claims: claims, key: signingKey, keyID: nil,
                            additionalHeader: [(name: "x5cInsecure", value: .array(chain.map { .string($0) }))])
    }

    /// `step-ca token SERIAL --revoke`: the project's own token command.
    func revokeTokenFromCommand(serial: String) throws -> String {
        let result = try Run.program(TestEnvironment.stepCA,
                                     ["token", serial, "--revoke", "--ca-config", configPath, "--password-file", passwordPath,
                                      "--ca-url", baseURL],
                                     environment: ["STEPPATH": stepPath.path])
        guard result.status == 0 else { throw APITestError("step-ca token failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Keys and CSRs

    func makeCSR(_ kind: KeyKind, commonName: String, sans: [String] = []) throws -> GeneratedCSR {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let base = scratchPath("")
        var arguments = ["req", "-new", "-nodes"] + kind.opensslArguments
            + ["-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=\(commonName)"]
        if !sans.isEmpty {
            arguments += ["-addext", "subjectAltName=" + sans.map(Encoding.openSSLSubjectAltName).joined(separator: ",")]
        }
        let result = try Run.program(openssl, arguments)
        guard result.status == 0 else { throw APITestError("openssl req failed: \(result.stderr)") }
        let pem = try String(contentsOfFile: base + ".csr", encoding: .utf8)
        return GeneratedCSR(pem: pem, der: try Encoding.der(fromPEM: pem), keyPath: base + ".key",
                            keyPEM: try String(contentsOfFile: base + ".key", encoding: .utf8))
    }

    /// The body of a /sign request.
    func signBody(csr: String, ott: String, notBefore: String? = nil, notAfter: String? = nil) -> [String: Any] {
        var body: [String: Any] = ["csr": csr, "ott": ott]
        if let notBefore { body["notBefore"] = notBefore }
        if let notAfter { body["notAfter"] = notAfter }
        return body
    }

    /// Issues a certificate through POST /1.0/sign; throws unless the CA answers 201.
    func issue(_ kind: KeyKind = .p256, commonName: String, sans: [String]? = nil, csrSANs: [String]? = nil,
               notBefore: String? = nil, notAfter: String? = nil) throws -> IssuedLeaf {
        let csr = try makeCSR(kind, commonName: commonName, sans: csrSANs ?? sans ?? [commonName])
        let ott = try token(subject: commonName, sans: sans)
        let response = try post("/1.0/sign", json: signBody(csr: csr.pem, ott: ott, notBefore: notBefore, notAfter: notAfter))
        return try leaf(from: response, commonName: commonName, keyPath: csr.keyPath, keyPEM: csr.keyPEM)
    }

    /// The certificate of a 201 sign/renew/rekey answer.
    func leaf(from response: HTTPResult, commonName: String, keyPath: String, keyPEM: String) throws -> IssuedLeaf {
        guard response.status == 201, let json = response.json, let crt = json["crt"] as? String else {
            throw APITestError("expected 201 with a certificate, got \(response)")
        }
        let certificate = try Certificate(pemEncoded: crt)
        let path = scratchPath(".crt")
        try crt.write(toFile: path, atomically: true, encoding: .utf8)
        return IssuedLeaf(response: response, leafPEM: crt, chainPEMs: json["certChain"] as? [String] ?? [],
                          certificate: certificate, serial: Encoding.decimal(certificate.serialNumber.bytes),
                          certificatePath: path, keyPath: keyPath, keyPEM: keyPEM, commonName: commonName)
    }

    // MARK: Verification helpers

    /// `openssl verify -CAfile root -untrusted intermediate leaf`.
    func opensslVerify(_ leafPEM: String) throws -> ProcessResult {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let path = scratchPath(".pem")
        try leafPEM.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Run.program(openssl, ["verify", "-CAfile", rootPath, "-untrusted", intermediatePath, path])
    }

    func inspect(_ pem: String) throws -> CertificateFacts? {
        try CertificateInspector.inspect(pem, scratch: scratch)
    }

    /// Runs one SQL statement with the sqlite3 CLI on the CA's database.
    func sqlite(_ sql: String) throws -> String {
        let sqlite3 = try APITools.path(APITools.sqlite3, "sqlite3")
        let result = try Run.program(sqlite3, ["-cmd", ".timeout 10000", databasePath, sql])
        guard result.status == 0 else { throw APITestError("sqlite3 failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The value stored under `key` in a bucket, or nil when there is no such row.
    func stored(_ table: String, key: String) throws -> Data? {
        let escaped = key.replacingOccurrences(of: "'", with: "''")
        let output = try sqlite("SELECT 'x' || hex(nvalue) FROM \"\(table)\" WHERE nkey = CAST('\(escaped)' AS BLOB);")
        guard output.hasPrefix("x") else { return nil }
        return Encoding.bytes(fromHex: String(output.dropFirst()))
    }

    func storedText(_ table: String, key: String) throws -> String? {
        try stored(table, key: key).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Leftover processes

    private static let lock = NSLock()
    nonisolated(unsafe) private static var running: Set<Int32> = []
    private static let exitHook: Void = { atexit { LiveCA.terminateAll() } }()

    private static func register(_ pid: Int32) {
        _ = exitHook
        lock.lock(); running.insert(pid); lock.unlock()
    }

    private static func unregister(_ pid: Int32) {
        lock.lock(); running.remove(pid); lock.unlock()
    }

    /// Stops servers a crashed or interrupted run left behind (registered with atexit).
    private static func terminateAll() {
        lock.lock(); let pids = running; lock.unlock()
        for pid in pids { Glibc.kill(pid, SIGTERM) }
    }
}

/// Starts one `step-ca` for a whole suite and stops it when the suite ends.
struct LiveCATrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard APITools.runnable else {
            try await function()
            return
        }
        let ca = try LiveCA()
        defer { ca.stop() }
        try await LiveCA.$current.withValue(ca) {
            try await function()
        }
    }
}

extension Trait where Self == LiveCATrait {
    /// One live `step-ca` on the fixture PKI for the suite.
    static var liveCA: Self { LiveCATrait() }
}

/// Assertions on step-ca answers.
enum Expect {
    /// An error answer: status, `application/json`, and exactly step-ca's body.
    static func error(_ response: HTTPResult, status: Int, message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, "\(response)", sourceLocation: sourceLocation)
        #expect(response.header("content-type") == "application/json", "\(response.headers)", sourceLocation: sourceLocation)
        #expect(response.text == StepMessages.body(status: status, message: message), sourceLocation: sourceLocation)
    }

    static func unauthorized(_ response: HTTPResult, sourceLocation: SourceLocation = #_sourceLocation) {
        error(response, status: 401, message: StepMessages.unauthorized, sourceLocation: sourceLocation)
    }

    /// The server is still up and healthy.
    static func healthy(_ ca: LiveCA, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let health = try ca.get("/health")
        #expect(health.status == 200 && health.text == "{\"status\":\"ok\"}\n", "\(health)", sourceLocation: sourceLocation)
    }
}

/// The real step-ca 0.19 answers in Tests/Fixtures/step-ca-0.19/http-examples.txt.
enum Captures {
    static let text: String = (try? String(contentsOf: TestEnvironment.fixtures.appendingPathComponent("http-examples.txt"),
                                           encoding: .utf8)) ?? ""

    /// The response body of the capture whose title line is `### <title>`, exactly as sent.
    static func body(_ title: String) -> String? {
        guard let start = text.range(of: "### \(title)\n") else { return nil }
        let section = text[start.upperBound...]
        let end = section.range(of: "\n==========")?.lowerBound ?? section.endIndex
        let exchange = section[..<end]
        guard let dashes = exchange.range(of: "\n------") , let blank = exchange[dashes.upperBound...].range(of: "\n\n") else {
            return nil
        }
        var body = String(exchange[blank.upperBound...])
        // The capture separates the body from the next section with one blank line.
        while body.hasSuffix("\n") { body.removeLast() }
        return body.isEmpty ? "" : body + "\n"
    }
}
