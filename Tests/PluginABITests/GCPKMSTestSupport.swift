import Foundation
import Testing
@testable import Host

/// A running Cloud KMS test server (`scripts/services/gcpkms_fake.py`), started by the tests
/// themselves on a free port with a directory of its own, and stopped when the test process exits.
final class GCPKMSFake: @unchecked Sendable {
    let directory: String
    let endpoint: String
    let caFile: String
    let credentialsFile: String
    let project: String
    /// Keys that exist from the start: EC P-256 and RSA-2048 PKCS#1 (version names).
    let ecKey: String
    let rsaKey: String
    let pid: Int32
    private let process: Process

    /// The instance most tests share.
    static let shared = Result { try GCPKMSFake() }

    /// Whether the live tests run: python3 with `cryptography` is there, or this is CI (where it must be).
    static let enabled: Bool = TestEnvironment.isCI || pythonHas("cryptography")
    /// Whether the SDK check runs: google-cloud-kms is installed, or this is CI.
    static let sdkEnabled: Bool = TestEnvironment.isCI || pythonHas("google.cloud.kms")

    static func pythonHas(_ module: String) -> Bool { FakeServerProcess.pythonHas(module) }

    /// Starts a server; `tokenTTL` sets the lifetime of its access tokens.
    init(tokenTTL: Int = 3599) throws {
        let server = try FakeServerProcess.start(script: "gcpkms_fake.py", prefix: "gcpkms",
                                                 arguments: ["--token-ttl", String(tokenTTL)])
        directory = server.directory
        process = server.process
        pid = server.process.processIdentifier
        let values = server.values
        guard let endpoint = values["GCP_KMS_ENDPOINT"], let ca = values["GCP_KMS_CA"],
              let credentials = values["GCP_KMS_CREDENTIALS"], let project = values["GCP_KMS_PROJECT"],
              let ecKey = values["GCP_KMS_EC_KEY"], let rsaKey = values["GCP_KMS_RSA_KEY"] else {
            throw TestSetupError("the fake's env file lacks a variable: \(values)")
        }
        self.endpoint = endpoint
        self.caFile = ca
        self.credentialsFile = credentials
        self.project = project
        self.ecKey = ecKey
        self.rsaKey = rsaKey
    }

    /// Stops the server and removes its directory: SIGTERM, then SIGKILL after two seconds. The
    /// wait is bounded and polls (no run loop), so it cannot block a test forever.
    func stop() {
        Self.terminate(process)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Ends a server process within a few seconds, whatever signals it blocks.
    static func terminate(_ process: Process) {
        let pid = process.processIdentifier
        for signal in [SIGTERM, SIGKILL] {
            guard process.isRunning else { return }
            kill(pid, signal)
            for _ in 0..<40 where process.isRunning { usleep(50_000) }
        }
    }

    /// The environment of the fake's env file (for the SDK check).
    var environment: [String: String] {
        ["GCP_KMS_ENDPOINT": endpoint, "GCP_KMS_CA": caFile, "GCP_KMS_CREDENTIALS": credentialsFile,
         "GCP_KMS_PROJECT": project, "GCP_KMS_LOCATION": "global"]
    }

    /// The ca.json `kms` object for this server.
    func config(credentials: String? = nil, caFile: String?? = .none, endpoint: String? = nil) -> String {
        var uri = "cloudkms:credentials-file=\(credentials ?? credentialsFile);endpoint=\(endpoint ?? self.endpoint)"
        switch caFile {
        case .none: uri += ";ca-file=\(self.caFile)"
        case .some(let file?): uri += ";ca-file=\(file)"
        case .some(nil): break
        }
        let data = try! JSONSerialization.data(withJSONObject: ["type": "cloudkms", "uri": uri], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A fresh key name in this server's project (`.../cryptoKeys/K`, without a version).
    func newKeyName(_ label: String) -> String {
        "projects/\(project)/locations/global/keyRings/ring-\(uniqueKeySuffix())/cryptoKeys/\(label)"
    }

    /// Calls the server with curl (trusting its CA); returns the status and the body.
    func curl(_ method: String, _ path: String, bearer: String? = nil) throws -> (status: Int, body: String) {
        let tool = try TestEnvironment.requireTool("curl")
        var arguments = ["-s", "-X", method, "--cacert", caFile, "-w", "\n%{http_code}", endpoint + path]
        if let bearer { arguments += ["-H", "Authorization: Bearer \(bearer)"] }
        let result = try GCPKMSFake.run(tool, arguments)
        let text = result.output
        guard let newline = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: newline)...]) else {
            throw TestSetupError("curl \(path): unexpected output \(text)")
        }
        return (status, String(text[..<newline]))
    }

    /// The server's counters (`tokenGrants`, `signs`, `requests`).
    func stats() throws -> [String: Int] {
        let answer = try curl("GET", "/admin/stats")
        return try JSONDecoder().decode([String: Int].self, from: Data(answer.body.utf8))
    }

    /// Runs a tool to completion; returns its exit status and standard output + error.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        try FakeServerProcess.run(tool, arguments, environment: environment)
    }
}

/// Opens the cloudkms plugin through the host's loader, as step-ca would.
func openGCPKMS(_ config: String) async throws -> KeyManagerPlugin {
    let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "cloudkms")
    return try await KeyManagerPlugin.open(plugin: plugin, configJSON: config)
}

/// The shared server, or a setup error saying why it did not start.
func sharedGCPKMSFake() throws -> GCPKMSFake {
    try GCPKMSFake.shared.get()
}

/// A Python test server of the cloud KMS tests (`scripts/services/*_fake.py`), started on a free
/// port with a directory of its own; it writes `env` (`export K=V` lines) once it listens. Every
/// server started is killed when the test process exits.
struct FakeServerProcess {
    let process: Process
    let directory: String
    /// The variables of its `env` file.
    let values: [String: String]

    /// Starts `scripts/services/<script>` with `--dir`, `--port 0` and `arguments`; waits (at
    /// most 30 s) for its env file. `prefix` names its temporary directory.
    static func start(script: String, prefix: String, arguments: [String]) throws -> FakeServerProcess {
        guard let python = TestEnvironment.tool("python3") else {
            throw TestSetupError("python3 is not installed (scripts/install-deps.sh)")
        }
        let directory = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/" + script).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [path, "--dir", directory, "--port", "0"] + arguments
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: directory + "/log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        register(process.processIdentifier)
        let envFile = directory + "/env"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: envFile) {
            guard process.isRunning, Date() < deadline else {
                let output = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
                process.terminate()
                throw TestSetupError("\(script) did not start: \(output.suffix(2000))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            let text = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line
            guard let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return FakeServerProcess(process: process, directory: directory, values: values)
    }

    /// Whether python3 can import `modules` (comma-separated).
    static func pythonHas(_ modules: String) -> Bool {
        guard let python = TestEnvironment.tool("python3") else { return false }
        return (try? run(python, ["-c", "import \(modules)"]).status) == 0
    }

    /// Runs a tool to completion; returns its exit status and standard output + error.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let environment { process.environment = environment }
        // Output goes to a file, not a pipe: a server started meanwhile by another test could
        // inherit the pipe's write end, and reading to end-of-file would then never finish.
        let path = NSTemporaryDirectory() + "fake-run-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private static let pids = NSLock()
    nonisolated(unsafe) private static var started: [Int32] = []
    private static func register(_ pid: Int32) {
        pids.lock()
        defer { pids.unlock() }
        if started.isEmpty { atexit { FakeServerProcess.killAll() } }
        started.append(pid)
    }
    private static func killAll() {
        pids.lock()
        defer { pids.unlock() }
        for pid in started { kill(pid, SIGKILL) }
    }
}
