import Foundation
import Testing

/// The seed's key-management chapter on Azure Key Vault, with the `step-ca` binary and the
/// azurekms plugin against the Key Vault test server (`scripts/services/azurekv_fake.py`): root
/// and intermediate keys created in the vault with `step-ca kms create`, CA certificates made
/// with `step-ca certificate create --kms`, a ca.json with `"kms": {"type": "azurekms", ...}`,
/// the CA started, a leaf issued whose chain openssl verifies. Skipped locally when python3's
/// `cryptography` is missing; in CI (`CI=true`) it runs and fails.
@Suite("Azure Key Vault workflow: kms create, certificate create, a CA signing through azurekms")
struct AzureKMSWorkflowTests {
    @Test("azurekms: keys in the vault, CA certificates from the CLI, the CA issues, renews and signs its CRL through the plugin")
    func azureWorkflow() throws {
        guard let tools = KMSWorkflow.tools(), let plugins = KMSWorkflowTests.swiftPlugin("azure") else { return }
        guard let python = TestEnvironment.requiredTool("python3") else { return }
        let hasCryptography = try Run.program(python, ["-c", "import cryptography"]).status == 0
        guard TestEnvironment.isCI || hasCryptography else {
            print("skipping: python3 module cryptography is missing (scripts/install-deps.sh)")
            return
        }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vault = try KeyVaultTestServer(python: python, directory: directory.appendingPathComponent("vault"))
        defer { vault.stop() }

        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let uri = "azurekms:vault=workflow-vault;endpoint=\(vault.url);ca-file=\(vault.caFile)"
            + ";client-id=\(vault.clientID);client-secret=\(vault.clientSecret);tenant-id=\(vault.tenantID)"
        let device = KMSDevice(label: "Azure Key Vault", uri: uri, type: "azurekms", pluginDirectory: plugins,
                               rootKey: "azurekms:name=root-\(suffix);vault=workflow-vault",
                               intermediateKey: "azurekms:name=intermediate-\(suffix);vault=workflow-vault?hsm=true",
                               intermediateKeyFlags: ["--kty", "EC", "--crv", "P384"],
                               environment: ["AZURE_AUTHORITY_HOST": vault.url],
                               secret: vault.clientSecret)
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()

        // The plugin names the created keys with their version, as step-ca's azurekms does.
        for (name, key) in [(run.rootKeyName, "root-\(suffix)"), (run.intermediateKeyName, "intermediate-\(suffix)")] {
            #expect(name.hasPrefix("azurekms:name=\(key);vault=workflow-vault?version="), "\(name)")
        }
        let text = try workflow.openSSL(["x509", "-in", run.intermediatePath, "-noout", "-text"]).stdout
        #expect(text.contains("NIST CURVE: P-384") && text.contains("Signature Algorithm: ecdsa-with-SHA256"),
                "a P-384 intermediate signed by the P-256 root:\n\(text)")
        // Every signature went through the vault: the CA certificates, leaves, renewals, the CRL.
        let stats = try vault.stats()
        #expect((stats["signs"] ?? 0) >= 5, "\(stats)")
        #expect((stats["tokenGrants"] ?? 0) >= 1, "\(stats)")
        #expect(!run.serverOutput.contains(vault.clientSecret))
    }
}

/// The Key Vault test server for the workflow: started with python3 on a free port, stopped by
/// ``stop()``.
final class KeyVaultTestServer {
    let url: String
    let caFile: String
    let tenantID: String
    let clientID: String
    let clientSecret: String
    private let process: Process

    init(python: String, directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/azurekv_fake.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--dir", directory.path, "--port", "0", "--exit-with-parent"]
        process.standardInput = FileHandle.nullDevice
        let logPath = directory.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let envFile = directory.appendingPathComponent("env").path
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: envFile) {
            guard process.isRunning, Date() < deadline else {
                process.terminate()
                throw APITestError("azurekv_fake.py did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            let text = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line
            guard let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        guard let url = values["AZURE_KV_URL"], let ca = values["AZURE_KV_CA"], let tenant = values["AZURE_KV_TENANT_ID"],
              let client = values["AZURE_KV_CLIENT_ID"], let secret = values["AZURE_KV_CLIENT_SECRET"] else {
            process.terminate()
            throw APITestError("the fake's env file lacks a variable: \(values.keys.sorted())")
        }
        self.url = url
        caFile = ca
        tenantID = tenant
        clientID = client
        clientSecret = secret
    }

    /// The server's counters (`signs`, `tokenGrants`, ...).
    func stats() throws -> [String: Int] {
        guard let curl = TestEnvironment.tool("curl") else { throw APITestError("curl is not installed") }
        let result = try Run.program(curl, ["-sS", "--max-time", "30", "--cacert", caFile, url + "/admin/stats"])
        return try JSONDecoder().decode([String: Int].self, from: Data(result.stdout.utf8))
    }

    /// Stops the server (SIGTERM; the server unblocks it at start). Never waits:
    /// `Process.waitUntilExit()` spins on a Swift concurrency thread on Linux.
    func stop() {
        kill(process.processIdentifier, SIGTERM)
    }
}
