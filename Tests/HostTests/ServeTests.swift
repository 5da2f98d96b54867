import Foundation
import Testing
@testable import Host

/// Starts the real `step-ca` binary and talks to it over HTTPS with curl.
@Suite("step-ca serve", .serialized)
struct ServeTests {
    /// GET over HTTPS, trusting only `root`, resolving `localhost` to the server's port.
    static func get(_ path: String, port: Int, root: String) throws -> ProcessResult? {
        guard let curl = TestEnvironment.requiredTool("curl") else { return nil }
        return try Run.program(curl, ["-sS", "--max-time", "10", "--cacert", root, "-w", "\n%{http_code}",
                                      "https://localhost:\(port)\(path)"])
    }

    /// A copy of the step-ca 0.19 fixture STEPPATH with `db` switched to sqlite and port 0.
    static func fixtureStepPath(in directory: URL, db: [String: Any]? = ["type": "sqlite", "dataSource": "db/ca.db"]) throws -> URL {
        let stepPath = directory.appendingPathComponent("steppath")
        try FileManager.default.copyItem(at: TestEnvironment.fixtures.appendingPathComponent("steppath"), to: stepPath)
        let configURL = stepPath.appendingPathComponent("config/ca.json")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as! [String: Any]
        config["db"] = db
        config["address"] = "127.0.0.1:0"
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configURL.path)
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        return stepPath
    }

    @Test("a PKI made by init starts and answers /health; SIGTERM stops it cleanly")
    func initThenServe() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (stepPath, passwordFile, result) = try InitCommandTests.initialise(directory)
        try #require(result.status == 0, "\(result.stderr)")
        let server = try ServerProcess(arguments: [stepPath.appendingPathComponent("config/ca.json").path,
                                                   "--password-file", passwordFile.path])
        let output = server.output
        #expect(output.contains("X.509 Root Fingerprint: "))
        #expect(output.contains("The primary server URL is https://localhost:0"))
        #expect(output.contains("Database: sqlite plugin"))
        let root = stepPath.appendingPathComponent("certs/root_ca.crt").path
        if let response = try Self.get("/health", port: server.port, root: root) {
            #expect(response.stdout == "{\"status\":\"ok\"}\n\n200", "\(response.stderr)")
        }
        if let response = try Self.get("/1.0/health", port: server.port, root: root) {
            #expect(response.stdout.hasSuffix("200"))
        }
        #expect(server.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: stepPath.appendingPathComponent("db/ca.db").path))
    }

    @Test("the step-ca 0.19 fixture PKI, with db switched to sqlite, starts and answers /health")
    func fixtureServes() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try Self.fixtureStepPath(in: directory)
        let server = try ServerProcess(
            arguments: [stepPath.appendingPathComponent("config/ca.json").path,
                        "--password-file", TestEnvironment.fixtures.appendingPathComponent("password.txt").path],
            environment: ["STEPPATH": stepPath.path])
        defer { server.stop() }
        #expect(server.output.contains("X.509 Root Fingerprint: 1daed69fb66388545a6ea1d8083a87896bce31a499ede31fe9e89379f18ba272"))
        let root = stepPath.appendingPathComponent("certs/root_ca.crt").path
        if let response = try Self.get("/health", port: server.port, root: root) {
            #expect(response.stdout == "{\"status\":\"ok\"}\n\n200", "\(response.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: stepPath.appendingPathComponent("db/ca.db").path))
    }

    @Test("without a db stanza the CA runs on the in-memory store")
    func inMemory() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try Self.fixtureStepPath(in: directory, db: nil)
        let server = try ServerProcess(
            arguments: [stepPath.appendingPathComponent("config/ca.json").path,
                        "--password-file", TestEnvironment.fixtures.appendingPathComponent("password.txt").path],
            environment: ["STEPPATH": stepPath.path])
        defer { server.stop() }
        #expect(server.output.contains("Database: in-memory store"))
    }

    /// Start-up failures: exit status 2 and one message naming the cause.
    @Test("start-up failures are explained", arguments: [
        ("badger", "cannot be read by swift-step-ca"),
        ("wrong-password", "wrong password"),
        ("no-password", "is encrypted: pass --password-file"),
        ("missing-plugin", "needs the plugin libstepca-db-cassandra.so, which was not found in"),
        ("bad-json", "invalid JSON"),
        ("bad-duration", "authority.claims.maxTLSCertDuration"),
        ("bad-policy", "authority.policy.x509.allow.dns[0]"),
    ])
    func startupFailures(scenario: String, expected: String) throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var db: [String: Any]? = ["type": "sqlite", "dataSource": "db/ca.db"]
        if scenario == "badger" { db = ["type": "badgerv2", "dataSource": "db"] }
        if scenario == "missing-plugin" { db = ["type": "cassandra", "dataSource": "cassandra://127.0.0.1/ca"] }
        let stepPath = try Self.fixtureStepPath(in: directory, db: db)
        let configPath = stepPath.appendingPathComponent("config/ca.json")
        if scenario == "bad-json" { try "{\"root\": [1,".write(to: configPath, atomically: true, encoding: .utf8) }
        if scenario == "bad-duration" || scenario == "bad-policy" {
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configPath)) as! [String: Any]
            var authority = config["authority"] as! [String: Any]
            if scenario == "bad-duration" { authority["claims"] = ["maxTLSCertDuration": "1x"] }
            if scenario == "bad-policy" { authority["policy"] = ["x509": ["allow": ["dns": ["*.*.example.com"]]]] }
            config["authority"] = authority
            try JSONSerialization.data(withJSONObject: config).write(to: configPath)
        }
        let wrongPassword = directory.appendingPathComponent("wrong.txt")
        try "nope".write(to: wrongPassword, atomically: true, encoding: .utf8)
        var arguments = [configPath.path]
        switch scenario {
        case "no-password": break
        case "wrong-password": arguments += ["--password-file", wrongPassword.path]
        default: arguments += ["--password-file", TestEnvironment.fixtures.appendingPathComponent("password.txt").path]
        }
        let result = try Run.program(TestEnvironment.stepCA, arguments, environment: ["STEPPATH": stepPath.path], timeout: 30)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!result.stderr.contains("Serving HTTPS"))
    }

    @Test("the host binary links no database or smart-card library")
    func hostLinksNoBackends() throws {
        guard let ldd = TestEnvironment.requiredTool("ldd") else { return }
        let result = try Run.program(ldd, [TestEnvironment.stepCA])
        #expect(result.status == 0)
        for library in ["libsqlite3", "libpq", "libmariadb", "libmysqlclient", "libpcsclite", "libp11-kit"] {
            #expect(!result.stdout.contains(library), "step-ca links \(library)")
        }
    }

    @Test("step-ca plugins lists the sqlite plugin with its types")
    func pluginsCommand() throws {
        let result = try Run.program(TestEnvironment.stepCA, ["plugins", "--plugin-dir", TestEnvironment.buildDirectory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("db\tsqlite\t1.0.0\tABI 1.0\ttypes: sqlite, sqlite3"), "\(result.stdout)")
    }
}
