import Foundation
import Testing
@testable import Host

/// A running Key Vault test server (`scripts/services/azurekv_fake.py`), started by the tests on a
/// free port with a directory of its own, and stopped when the test process exits.
final class AzureKVFake: @unchecked Sendable {
    let directory: String
    /// The vault URL (`https://127.0.0.1:PORT`), also the AAD authority and IMDS host.
    let vaultURL: String
    let caFile: String
    let tenantID: String
    let clientID: String
    let clientSecret: String
    let managedIdentityClientID: String
    /// Keys that exist from the start (EC P-256 and RSA-2048), as `azurekms:` names.
    let ecKey: String
    let rsaKey: String
    let pid: Int32
    private let process: Process

    /// The instance most tests share.
    static let shared = Result { try AzureKVFake() }

    /// Whether the live tests run: python3 with `cryptography` is there, or this is CI (where it must be).
    static let enabled: Bool = TestEnvironment.isCI || pythonHas("cryptography")
    /// Whether the SDK check runs: azure-keyvault-keys and azure-identity are installed, or this is CI.
    static let sdkEnabled: Bool = TestEnvironment.isCI || pythonHas("azure.keyvault.keys, azure.identity")
    /// Whether the opt-in latency measurement runs (`STEPCA_AZUREKMS_BENCH=1`).
    static let benchEnabled: Bool = enabled && ProcessInfo.processInfo.environment["STEPCA_AZUREKMS_BENCH"] == "1"

    static func pythonHas(_ modules: String) -> Bool { FakeServerProcess.pythonHas(modules) }

    /// Starts a server; `tokenTTL` sets the lifetime of its access tokens.
    init(tokenTTL: Int = 3599) throws {
        let server = try FakeServerProcess.start(script: "azurekv_fake.py", prefix: "azurekv",
                                                 arguments: ["--token-ttl", String(tokenTTL), "--exit-with-parent"])
        directory = server.directory
        process = server.process
        pid = server.process.processIdentifier
        let values = server.values
        guard let url = values["AZURE_KV_URL"], let ca = values["AZURE_KV_CA"], let tenant = values["AZURE_KV_TENANT_ID"],
              let client = values["AZURE_KV_CLIENT_ID"], let secret = values["AZURE_KV_CLIENT_SECRET"],
              let managed = values["AZURE_KV_MI_CLIENT_ID"], let ec = values["AZURE_KV_EC_KEY"],
              let rsa = values["AZURE_KV_RSA_KEY"] else {
            throw TestSetupError("the fake's env file lacks a variable: \(values.keys.sorted())")
        }
        vaultURL = url
        caFile = ca
        tenantID = tenant
        clientID = client
        clientSecret = secret
        managedIdentityClientID = managed
        ecKey = "azurekms:name=\(ec);vault=test-vault"
        rsaKey = "azurekms:name=\(rsa);vault=test-vault"
    }

    /// Stops the server (SIGTERM; the server unblocks it at start) and removes its directory.
    /// Never waits: `Process.waitUntilExit()` spins on a Swift concurrency thread on Linux.
    func stop() {
        kill(pid, SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The environment of the fake's env file (for the SDK check).
    var environment: [String: String] {
        ["AZURE_KV_URL": vaultURL, "AZURE_KV_CA": caFile, "AZURE_KV_AUTHORITY_HOST": vaultURL,
         "AZURE_KV_TENANT_ID": tenantID, "AZURE_KV_CLIENT_ID": clientID, "AZURE_KV_CLIENT_SECRET": clientSecret,
         "AZURE_KV_IMDS_HOST": vaultURL, "AZURE_KV_MI_CLIENT_ID": managedIdentityClientID]
    }

    /// The ca.json `kms.uri` for this server: client credentials in the URI (the fake as their
    /// `authority-host`) unless `credentials` is false, the fake as the vault endpoint, its CA as
    /// `ca-file` unless `caFile` says otherwise.
    func uri(credentials: Bool = true, secret: String? = nil, clientID: String? = nil,
             caFile: String?? = .none, endpoint: String? = nil) -> String {
        var uri = "azurekms:vault=test-vault;endpoint=\(endpoint ?? vaultURL)"
        if credentials {
            uri += ";authority-host=\(vaultURL)"
            uri += ";client-id=\(clientID ?? self.clientID);client-secret=\(secret ?? clientSecret);tenant-id=\(tenantID)"
        } else if let clientID {
            uri += ";client-id=\(clientID)"
        }
        switch caFile {
        case .none: uri += ";ca-file=\(self.caFile)"
        case .some(let file?): uri += ";ca-file=\(file)"
        case .some(nil): break
        }
        return uri
    }

    /// The ca.json `kms` object for this server (see ``uri(credentials:secret:clientID:caFile:endpoint:)``).
    func config(credentials: Bool = true, secret: String? = nil, clientID: String? = nil,
                caFile: String?? = .none, endpoint: String? = nil) -> String {
        let uri = uri(credentials: credentials, secret: secret, clientID: clientID, caFile: caFile, endpoint: endpoint)
        let data = try! JSONSerialization.data(withJSONObject: ["type": "azurekms", "uri": uri], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A fresh key name (`azurekms:name=LABEL-SUFFIX;vault=test-vault`).
    func newKeyName(_ label: String) -> String {
        "azurekms:name=\(label)-\(uniqueKeySuffix());vault=test-vault"
    }

    /// Calls the server with curl (trusting its CA); returns the status, the headers and the body.
    func curl(_ method: String, _ path: String, bearer: String? = nil) throws -> (status: Int, headers: String, body: String) {
        let tool = try TestEnvironment.requireTool("curl")
        var arguments = ["-s", "-D", "-", "-X", method, "--cacert", caFile, "-w", "\n%{http_code}", vaultURL + path]
        if let bearer { arguments += ["-H", "Authorization: Bearer \(bearer)"] }
        let result = try AzureKVFake.run(tool, arguments)
        let text = result.output
        guard let newline = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: newline)...]) else {
            throw TestSetupError("curl \(path): unexpected output \(text)")
        }
        let response = String(text[..<newline])
        guard let split = response.range(of: "\r\n\r\n") else { return (status, response, "") }
        return (status, String(response[..<split.lowerBound]), String(response[split.upperBound...]))
    }

    /// The server's counters (`tokenGrants`, `imdsGrants`, `signs`, `requests`, `challenges`).
    func stats() throws -> [String: Int] {
        let answer = try curl("GET", "/admin/stats")
        return try JSONDecoder().decode([String: Int].self, from: Data(answer.body.utf8))
    }

    /// Runs a tool to completion; returns its exit status and standard output + error.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        try FakeServerProcess.run(tool, arguments, environment: environment)
    }
}

/// Opens the azurekms plugin through the host's loader, as step-ca would.
func openAzureKMS(_ config: String) async throws -> KeyManagerPlugin {
    let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "azurekms")
    return try await KeyManagerPlugin.open(plugin: plugin, configJSON: config)
}

/// The shared server, or a setup error saying why it did not start.
func sharedAzureKVFake() throws -> AzureKVFake {
    try AzureKVFake.shared.get()
}

/// Points the plugin's managed-identity requests at `fake` (`AZURE_POD_IDENTITY_AUTHORITY_HOST`,
/// the variable Azure's SDKs read for the IMDS host). Only the azurekms plugin reads it, and only
/// the managed-identity test uses it.
func useFakeIMDS(_ fake: AzureKVFake) {
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", fake.vaultURL, 1)
}

/// A live test ran past its time limit (the plugin or the server hung).
struct TimeLimitExceeded: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    var description: String { "\(what) did not finish within \(seconds) s" }
}

/// Runs `body` and fails with ``TimeLimitExceeded`` when it has not finished after `seconds`:
/// a hang fails the test instead of blocking the suite (the stuck task is left behind).
func withTimeLimit<T: Sendable>(_ seconds: Double, _ what: String,
                                _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            once.resume(.failure(TimeLimitExceeded(what: what, seconds: seconds)))
        }
        Task {
            do { once.resume(.success(try await body())) } catch { once.resume(.failure(error)) }
            timer.cancel()
        }
    }
}

/// Resumes a continuation once; later results are dropped.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?

    init(_ continuation: CheckedContinuation<T, Error>) { self.continuation = continuation }

    func resume(_ result: Result<T, Error>) {
        lock.lock()
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(with: result)
    }
}
