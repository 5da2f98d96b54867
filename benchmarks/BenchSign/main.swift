import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import X509
import StepCrypto
import StepConfig

/// Issuance benchmark: starts `step-ca` on a fresh PKI with the SQLite plugin, pre-generates
/// tokens and CSRs, fires `POST /1.0/sign` at each concurrency over keep-alive connections,
/// verifies every returned certificate, and prints certificates/s, latency percentiles and the
/// server's CPU time per certificate.
///
/// Usage: stepca-bench-sign [--requests N] [--concurrency 1,16,64] [--step-ca PATH] [--db JSON] [--x509-template FILE] [--floor]
///                          [--access-log] [--go-step-ca PATH]
///
/// `--db` replaces the ca.json `db` object, e.g. `{"type":"postgresql","dataSource":"...","database":"bench"}`;
/// `--db null` removes it (the host's in-memory store, to measure the CA without a database).
/// `--x509-template FILE` gives the provisioner that X.509 template (inline), to measure rendering.
/// `--floor` measures `FloorServer` instead of `step-ca` (which still makes the PKI).
/// `--access-log` keeps the `logger` of `step-ca init` (text, one line per request), written to a
/// file in the run's directory; without it the benchmark removes the logger.
/// `--go-step-ca PATH` measures smallstep's step-ca (built by `benchmarks/step-ca-0.19/build.sh`)
/// on the same PKI, with a badger database unless `--db` says otherwise.
struct Options {
    static let usage = "usage: stepca-bench-sign [--requests N] [--concurrency 1,16,64] [--step-ca PATH] [--db JSON|null] [--x509-template FILE] [--floor] [--access-log] [--go-step-ca PATH]"

    var requests = 3000
    var concurrency = [1, 16, 64]
    var binary: String?
    var database: String?
    var x509Template: String?
    var floor = false
    var accessLog = false
    var goStepCA: String?

    init(_ arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--requests": requests = Int(iterator.next() ?? "") ?? requests
            case "--concurrency": concurrency = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--step-ca": binary = iterator.next()
            case "--db": database = iterator.next()
            case "--x509-template":
                let path = iterator.next() ?? ""
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw BenchError("cannot read \(path)") }
                x509Template = text
            case "--floor": floor = true
            case "--access-log": accessLog = true
            case "--go-step-ca": goStepCA = iterator.next()
            case "--help", "-h": print(Options.usage); exit(0)
            default: throw BenchError("unknown argument \(argument)\n\(Options.usage)")
            }
        }
    }
}

/// The `type` of a `--db` object (never its DSN, which may hold a password).
func databaseType(_ json: String?) -> String {
    if json == "null" { return "in-memory (no)" }
    guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return "sqlite" }
    return object["type"] as? String ?? "unknown"
}

struct Prepared {
    let bodies: [ByteBuffer]
    let subjects: [String]
}

/// Makes `count` sign requests: a fresh P-256 key and CSR each, and a token from the provisioner.
func prepare(count: Int, server: ServerUnderTest, offset: Int) throws -> Prepared {
    let (config, _) = try CAConfig.load(path: server.configPath, stepPath: StepPath(server.directory.appendingPathComponent("steppath").path))
    guard case .jwk(let details) = config.authority.provisioners[0].details, let encrypted = details.encryptedKey else {
        throw BenchError("no JWK provisioner")
    }
    let jwk = try JWE.decryptJWK(compact: encrypted, password: Data("bench-password".utf8))
    let key = try jwk.privateKeyMaterial()
    let audience = "https://localhost:\(server.port)/1.0/sign"
    var bodies: [ByteBuffer] = []
    var subjects: [String] = []
    let now = Date()
    for index in 0..<count {
        let subject = "host-\(offset + index).bench.example.com"
        let leafKey = P256.Signing.PrivateKey()
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(subject) },
            privateKey: .init(leafKey),
            attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: Certificate.Extensions {
                SubjectAlternativeNames([.dnsName(subject)])
            }))]),
            signatureAlgorithm: .ecdsaWithSHA256)
        var serializer = DER.Serializer()
        try serializer.serialize(csr)
        let csrPEM = PEMBlock(type: "CERTIFICATE REQUEST", bytes: Data(serializer.serializedBytes)).encoded
        let claims = JWTClaims(
            issuer: "bench@example.com", subject: subject, audience: [audience],
            expiry: NumericDate(now.addingTimeInterval(3600)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: UUID().uuidString, privateClaims: ["sans": .array([.string(subject)])])
        let token = try JWS.sign(claims: claims, key: key, keyID: jwk.keyID)
        let body = try JSONSerialization.data(withJSONObject: ["csr": csrPEM, "ott": token])
        bodies.append(ByteBuffer(bytes: body))
        subjects.append(subject)
    }
    return Prepared(bodies: bodies, subjects: subjects)
}

/// Runs the prepared requests over `concurrency` connections and returns latencies and responses.
func run(_ prepared: Prepared, concurrency: Int, server: ServerUnderTest, trustRoot: NIOSSLCertificate,
         group: EventLoopGroup) async throws -> (latencies: [Double], responses: [(Int, ByteBuffer)], seconds: Double) {
    let queue = RequestQueue(bodies: prepared.bodies, path: "/1.0/sign", host: "localhost")
    let started = ContinuousClock.now
    let connections = try (0..<concurrency).map { _ in
        try LoadConnectionHandler.start(queue: queue, port: server.port, trustRoot: trustRoot, group: group)
    }
    var outcomes: [Outcome] = []
    for connection in connections { outcomes += try await connection.get() }
    let total = ContinuousClock.now - started
    let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
    guard outcomes.count == prepared.bodies.count else {
        throw BenchError("\(outcomes.count) responses for \(prepared.bodies.count) requests")
    }
    let sorted = outcomes.sorted { $0.index < $1.index }
    return (sorted.map(\.seconds), sorted.map { ($0.status, $0.body) }, seconds)
}

/// Checks every response: 201, a certificate for the requested name signed by the intermediate.
func verify(_ responses: [(Int, ByteBuffer)], subjects: [String], intermediate: Certificate) throws -> Set<String> {
    var serials = Set<String>()
    for (index, (status, body)) in responses.enumerated() {
        guard status == 201 else { throw BenchError("request \(index): status \(status): \(String(buffer: body))") }
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let pem = object["crt"] as? String else { throw BenchError("request \(index): no crt") }
        let certificate = try Certificate(pemEncoded: pem)
        guard intermediate.publicKey.isValidSignature(certificate.signature, for: certificate) else {
            throw BenchError("request \(index): signature does not verify")
        }
        let names = try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? []
        guard names.contains(GeneralName.dnsName(subjects[index])) else {
            throw BenchError("request \(index): wrong SAN")
        }
        serials.insert(certificate.serialNumber.description)
    }
    return serials
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints the error on stderr and exits with status 2.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("stepca-bench-sign: \(error)\n".utf8))
    exit(2)
}

if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "--serve-floor" {
    do { try await FloorServer.serve(configPath: CommandLine.arguments[2], passwordPath: CommandLine.arguments[3]) } catch { fail(error) }
}

let options: Options
let server: ServerUnderTest
let trustRoot: NIOSSLCertificate
let intermediate: Certificate
do {
    options = try Options(CommandLine.arguments)
    let executableDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    let binary = options.binary ?? executableDirectory + "/step-ca"
    server = try ServerUnderTest(binary: binary, pluginDirectory: executableDirectory, quiet: !options.accessLog, database: options.database,
                                 x509Template: options.x509Template, floorServer: options.floor ? CommandLine.arguments[0] : nil,
                                 goStepCA: options.goStepCA)
    let rootPEM = try String(contentsOfFile: server.rootPath, encoding: .utf8)
    trustRoot = try NIOSSLCertificate(bytes: Array(rootPEM.utf8), format: .pem)
    intermediate = try Certificate(pemEncoded: String(contentsOfFile: server.intermediatePath, encoding: .utf8))
} catch {
    fail(error)
}
let group = MultiThreadedEventLoopGroup.singleton

do {
    let serverName = options.floor ? "floor server (no CA rules, no database)" : options.goStepCA != nil ? "smallstep step-ca 0.19" : "step-ca"
    let databaseName = options.goStepCA != nil && options.database == nil ? "badgerv2" : databaseType(options.database)
    print("\(serverName) issuance benchmark: \(options.requests) certificates per run, \(databaseName) database, P-256 CSRs, keep-alive HTTPS/1.1\(options.accessLog ? ", access log to a file" : "")")
    print(CryptoFloor.measure().summary)
    print("concurrency  certs/s   p50 ms   p90 ms   p99 ms   server CPU ms/cert   client CPU ms/cert")
    var offset = 0
    for concurrency in options.concurrency {
        let prepared = try prepare(count: options.requests, server: server, offset: offset)
        offset += options.requests
        let cpuBefore = server.cpuSeconds()
        let clientBefore = ownCPUSeconds()
        let result = try await run(prepared, concurrency: concurrency, server: server, trustRoot: trustRoot, group: group)
        let cpu = server.cpuSeconds() - cpuBefore
        let clientCPU = ownCPUSeconds() - clientBefore
        let serials = try verify(result.responses, subjects: prepared.subjects, intermediate: intermediate)
        guard serials.count == options.requests else { throw BenchError("duplicate serials: \(serials.count) distinct of \(options.requests)") }
        let sorted = result.latencies.sorted()
        print(String(format: "%11d  %7.0f  %7.2f  %7.2f  %7.2f   %18.3f   %18.3f", concurrency, Double(options.requests) / result.seconds,
                     percentile(sorted, 0.5) * 1000, percentile(sorted, 0.9) * 1000, percentile(sorted, 0.99) * 1000,
                     cpu * 1000 / Double(options.requests), clientCPU * 1000 / Double(options.requests)))
    }
    server.stop()
} catch {
    server.stop()
    fail(error)
}
