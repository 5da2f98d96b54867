import Foundation
import Testing

/// A database server of the tests' own (the project's service scripts, a private directory and
/// port), so that it can be stopped and started under a running CA.
final class PrivateDatabaseServer {
    let kind: SharedDatabase.Kind
    let directory: URL
    let port: Int
    private var script: String {
        TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/\(kind == .postgresql ? "postgres" : "mariadb").sh").path
    }
    private let extraEnvironment: [String: String]
    private var environment: [String: String] {
        extraEnvironment.merging(["INFRA_DIR": directory.path, kind == .postgresql ? "PG_PORT" : "MY_PORT": String(port),
                                  "WAIT_S": "30"]) { _, new in new }
    }

    /// The DSN printed by the script's `start`.
    private(set) var dsn = ""

    /// - Parameter environment: extra settings for the service script (e.g. `PG_TLS_DIR`).
    init(_ kind: SharedDatabase.Kind, environment: [String: String] = [:]) throws {
        self.kind = kind
        extraEnvironment = environment
        directory = URL(fileURLWithPath: "/tmp/stepca-private-\(UUID().uuidString.prefix(8))")
        port = try freePort()
        try start()
    }

    func start() throws {
        let result = try Run.program("/bin/bash", [script, "start"], environment: environment, timeout: 120)
        guard result.status == 0 else { throw APITestError("\(kind.testDescription) did not start: \(result.stderr)") }
        let variable = "export \(kind.dsnVariable)="
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix(variable) }) else {
            throw APITestError("no \(kind.dsnVariable) in: \(result.stdout)")
        }
        dsn = String(line.dropFirst(variable.count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
    }

    func stop() {
        _ = try? Run.program("/bin/bash", [script, "stop"], environment: environment, timeout: 120)
    }

    /// Stops the server and removes its files.
    func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var stanza: String {
        #"{"type": "\#(kind.rawValue)", "dataSource": "\#(dsn)", "database": "stepca_failure"}"#
    }
}

/// A TCP port nothing listens on (bound once, then released).
func freePort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw APITestError("socket() failed") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
    }
    guard bound else { throw APITestError("bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite("database failures under a running CA", .serialized, .enabled(if: APITools.runnable))
struct DatabaseFailureTests {
    @Test("an unreachable database stops start-up with one message naming host, port and database, never the password",
          arguments: SharedDatabase.Kind.allCases)
    func unreachableAtStartUp(kind: SharedDatabase.Kind) throws {
        let port = try freePort()
        let password = "pw-\(UUID().uuidString.prefix(12))"
        let dsn = kind == .postgresql
            ? "postgresql://stepca:\(password)@127.0.0.1:\(port)/stepca?sslmode=disable"
            : "stepca:\(password)@tcp(127.0.0.1:\(port))/stepca"
        let stanza = #"{"type": "\#(kind.rawValue)", "dataSource": "\#(dsn)", "database": "ca_\#(kind.rawValue)"}"#
        let started = Date()
        do {
            let ca = try LiveCA(database: stanza)
            ca.stop()
            Issue.record("step-ca started without its database")
        } catch let failure as ServerStartFailure {
            #expect(Date().timeIntervalSince(started) < 25, "start-up must fail fast, not hang")
            #expect(failure.output.contains("127.0.0.1"), "\(failure.output)")
            #expect(failure.output.contains(String(port)), "\(failure.output)")
            #expect(failure.output.contains("ca_\(kind.rawValue)"), "\(failure.output)")
            #expect(failure.output.lowercased().contains("connect"), "the driver's reason: \(failure.output)")
            #expect(!failure.output.contains(password), "the password leaked: \(failure.output)")
        }
    }

    @Test("database lost while serving: 500 and no certificate; service resumes by itself when it returns",
          .timeLimit(.minutes(5)), arguments: SharedDatabase.kinds)
    func lostWhileServing(kind: SharedDatabase.Kind) throws {
        let server = try PrivateDatabaseServer(kind)
        defer { server.remove() }
        let ca = try LiveCA(database: server.stanza)
        defer { ca.stop() }
        _ = try ca.issue(commonName: "before.example.com")

        server.stop()
        let csr = try ca.makeCSR(.p256, commonName: "during.example.com", sans: ["during.example.com"])
        let during = try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: try ca.token(subject: "during.example.com")))
        Expect.error(during, status: 500, message: StepMessages.internalError)
        #expect(during.json?["crt"] == nil)
        try Expect.healthy(ca)

        try server.start()
        var resumed: HTTPResult?
        let deadline = Date().addingTimeInterval(30)
        repeat {
            let retry = try ca.makeCSR(.p256, commonName: "after.example.com", sans: ["after.example.com"])
            let answer = try ca.post("/1.0/sign", json: ca.signBody(csr: retry.pem, ott: try ca.token(subject: "after.example.com")))
            if answer.status == 201 { resumed = answer; break }
            usleep(500_000)
        } while Date() < deadline
        #expect(resumed != nil, "issuance did not resume after the database returned")
        #expect(!ca.serverOutput.contains(SharedDatabase.passwordOf(dsn: server.dsn)), "the password leaked into the log")
    }
}

extension SharedDatabase {
    /// The password inside a test DSN (`user:password@...`).
    static func passwordOf(dsn: String) -> String {
        let credentials = dsn.components(separatedBy: "://").last?.components(separatedBy: "@").first ?? ""
        return credentials.components(separatedBy: ":").dropFirst().joined(separator: ":")
    }
}
