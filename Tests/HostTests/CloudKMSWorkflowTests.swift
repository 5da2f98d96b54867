import Foundation
import Testing

/// The seed's key-management chapter on AWS KMS (moto, SigV4 checking on) and Google Cloud KMS
/// (the Cloud KMS test server), with the `step-ca` binary: root and intermediate keys created in
/// the KMS with `step-ca kms create`, CA certificates made with `step-ca certificate create --kms`,
/// a ca.json with `"kms": {"type": "awskms" | "cloudkms", ...}`, the CA started, leaves issued and
/// renewed and the CRL signed through the plugin, every chain checked with openssl. Skipped
/// locally when the emulator is missing; in CI (`CI=true`) they run and fail.
@Suite("Cloud KMS workflow: kms create, certificate create, a CA signing through awskms and cloudkms",
       .timeLimit(.minutes(5)))
struct CloudKMSWorkflowTests {
    @Test("awskms on moto: keys in AWS KMS, CA certificates from the CLI, the CA issues, renews and signs its CRL")
    func awsWorkflow() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["MOTO_ENDPOINT"], !endpoint.isEmpty,
              let accessKey = environment["MOTO_ACCESS_KEY_ID"], let secret = environment["MOTO_SECRET_ACCESS_KEY"] else {
            if TestEnvironment.isCI { Issue.record("MOTO_ENDPOINT is not set: scripts/test.sh starts moto (scripts/services/moto.sh)") }
            else { print("skipping: MOTO_ENDPOINT is not set (eval \"$(scripts/services/moto.sh start)\")") }
            return
        }
        guard let tools = KMSWorkflow.tools(), let plugins = KMSWorkflowTests.swiftPlugin("aws") else { return }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The access key comes from a shared credentials file with a profile, as an operator's would.
        let credentials = directory.appendingPathComponent("aws-credentials").path
        try "[ca]\naws_access_key_id = \(accessKey)\naws_secret_access_key = \(secret)\n"
            .write(toFile: credentials, atomically: true, encoding: .utf8)
        let region = environment["MOTO_REGION"] ?? "us-east-1"
        let uri = "awskms:region=\(region);profile=ca;credentials-file=\(credentials);endpoint=\(endpoint)"
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        // A host with only this KMS plugin (and the database plugin) installed.
        let onlyAWS = directory.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: onlyAWS, withIntermediateDirectories: true)
        for file in ["libstepca-kms-aws.so", "libstepca-db-sqlite.so"] {
            try FileManager.default.copyItem(atPath: plugins + "/" + file, toPath: onlyAWS.appendingPathComponent(file).path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: onlyAWS.path).sorted() == ["libstepca-db-sqlite.so", "libstepca-kms-aws.so"])
        let device = KMSDevice(label: "AWS KMS", uri: uri, type: "awskms", pluginDirectory: onlyAWS.path,
                               rootKey: "workflow-root-\(suffix)", intermediateKey: "workflow-intermediate-\(suffix)",
                               intermediateKeyFlags: ["--kty", "EC", "--crv", "P384"],
                               environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": ""],
                               secret: secret)
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()

        // The plugin names created keys by their id, as step-ca's awskms does.
        for name in [run.rootKeyName, run.intermediateKeyName] {
            #expect(name.hasPrefix("awskms:key-id=") && name.count > "awskms:key-id=".count + 30, "\(name)")
        }
        let text = try workflow.openSSL(["x509", "-in", run.intermediatePath, "-noout", "-text"]).stdout
        #expect(text.contains("NIST CURVE: P-384") && text.contains("Signature Algorithm: ecdsa-with-SHA256"),
                "a P-384 intermediate signed by the P-256 root:\n\(text)")
        #expect(!run.serverOutput.contains(secret))
    }

    @Test("cloudkms on the Cloud KMS test server: key ring and keys from the CLI, the CA issues, renews and signs its CRL")
    func gcpWorkflow() throws {
        guard let tools = KMSWorkflow.tools(), let plugins = KMSWorkflowTests.swiftPlugin("gcp") else { return }
        guard let python = TestEnvironment.requiredTool("python3") else { return }
        let hasCryptography = try Run.program(python, ["-c", "import cryptography"]).status == 0
        guard TestEnvironment.isCI || hasCryptography else {
            print("skipping: python3 module cryptography is missing (scripts/install-deps.sh)")
            return
        }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try CloudKMSTestServer(directory: directory.appendingPathComponent("gcpkms"))
        defer { server.stop() }

        let uri = "cloudkms:credentials-file=\(server.credentialsFile);endpoint=\(server.endpoint);ca-file=\(server.caFile)"
        let ring = "projects/\(server.project)/locations/global/keyRings/workflow"
        let device = KMSDevice(label: "Cloud KMS", uri: uri, type: "cloudkms", pluginDirectory: plugins,
                               rootKey: ring + "/cryptoKeys/root", intermediateKey: "cloudkms:" + ring + "/cryptoKeys/intermediate",
                               intermediateKeyFlags: ["--kty", "EC", "--crv", "P384"],
                               environment: ["GOOGLE_APPLICATION_CREDENTIALS": ""],
                               secret: "PRIVATE KEY",
                               // ca.json names the key with its scheme: the loader resolves a bare
                               // `projects/...` as a file under $STEPPATH.
                               caKeyReference: { "cloudkms:" + $0 })
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()

        // Created keys are named by their first version, as step-ca's cloudkms does.
        #expect(run.rootKeyName == ring + "/cryptoKeys/root/cryptoKeyVersions/1")
        #expect(run.intermediateKeyName == ring + "/cryptoKeys/intermediate/cryptoKeyVersions/1")
        let text = try workflow.openSSL(["x509", "-in", run.intermediatePath, "-noout", "-text"]).stdout
        #expect(text.contains("NIST CURVE: P-384") && text.contains("Signature Algorithm: ecdsa-with-SHA256"),
                "a P-384 intermediate signed by the P-256 root:\n\(text)")
        // Every signature went through the server: CA certificates, leaves, renewals, the CRL.
        let stats = try server.stats()
        #expect((stats["signs"] ?? 0) >= 5, "\(stats)")
        #expect((stats["tokenGrants"] ?? 0) >= 1, "\(stats)")
    }
}

/// The Cloud KMS test server for the workflow, started with `scripts/services/gcpkms.sh` in a
/// directory of its own on a free port, stopped by ``stop()``.
final class CloudKMSTestServer {
    let directory: URL
    let endpoint: String
    let caFile: String
    let credentialsFile: String
    let project: String

    init(directory: URL) throws {
        self.directory = directory
        let result = try Run.program("/bin/bash", [Self.script, "start"],
                                     environment: ["GCPKMS_DIR": directory.path, "GCPKMS_PORT": "0"], timeout: 120)
        guard result.status == 0 else { throw APITestError("gcpkms.sh start failed:\n\(result.stdout)\(result.stderr)") }
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        guard let endpoint = values["GCP_KMS_ENDPOINT"], let ca = values["GCP_KMS_CA"],
              let credentials = values["GCP_KMS_CREDENTIALS"], let project = values["GCP_KMS_PROJECT"] else {
            Self.stop(directory)
            throw APITestError("gcpkms.sh start printed no GCP_KMS_* variables:\n\(result.stdout)")
        }
        self.endpoint = endpoint
        self.caFile = ca
        self.credentialsFile = credentials
        self.project = project
    }

    static var script: String { TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/gcpkms.sh").path }

    func stop() { Self.stop(directory) }

    static func stop(_ directory: URL) {
        _ = try? Run.program("/bin/bash", [script, "stop"], environment: ["GCPKMS_DIR": directory.path], timeout: 30)
    }

    /// The server's counters (`tokenGrants`, `signs`, `requests`).
    func stats() throws -> [String: Int] {
        guard let curl = TestEnvironment.tool("curl") else { throw APITestError("curl is not installed") }
        let result = try Run.program(curl, ["-sS", "--max-time", "30", "--cacert", caFile, endpoint + "/admin/stats"])
        guard result.status == 0 else { throw APITestError("curl /admin/stats: \(result.stderr)") }
        return try JSONDecoder().decode([String: Int].self, from: Data(result.stdout.utf8))
    }
}
