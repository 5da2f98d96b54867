import Foundation
import Testing

// The seed's key-management chapter, end to end with the `step-ca` binary: keys created in a
// key manager with `step-ca kms create`, CA certificates made with `step-ca certificate create`,
// a ca.json whose `kms`/`key` point at the device, the CA started on it, a leaf issued and
// renewed, and every chain and CRL checked with openssl.

/// A key manager the workflow runs against.
struct KMSDevice {
    /// For messages: "filekms", "SoftHSM2", "YubiKey".
    var label: String
    /// The kms URI (`--kms`, and ca.json's `kms.uri`).
    var uri: String
    /// ca.json's `kms.type`.
    var type: String
    /// The directory holding the plugin and the sqlite database plugin (`--plugin-dir`).
    var pluginDirectory: String
    /// The names handed to `kms create` for the root and the intermediate key.
    var rootKey: String
    var intermediateKey: String
    /// Extra `kms create` flags for the intermediate key (another curve, say).
    var intermediateKeyFlags: [String] = []
    /// Variables the plugin needs in every process (SOFTHSM2_CONF).
    var environment: [String: String] = [:]
    /// A secret of the URI that must never appear in any output.
    var secret: String?
    /// How ca.json's `key` names the intermediate key created as `kms create` printed it (a
    /// `cloudkms:` prefix before a bare Cloud KMS resource name, say); nil keeps the name.
    var caKeyReference: ((String) -> String)? = nil
}

/// What one run of the workflow produced, for further checks.
struct KMSWorkflowRun {
    var directory: URL
    var rootPath: String
    var intermediatePath: String
    var rootKeyName: String
    var intermediateKeyName: String
    var serverOutput: String
}

/// Runs the `step-ca` binary and the openssl and curl CLIs for the workflow.
struct KMSWorkflow {
    let device: KMSDevice
    let directory: URL
    let openssl: String
    let curl: String

    /// The workflow's tools, or nil (with an issue in CI, a note elsewhere) when one is missing.
    static func tools() -> (openssl: String, curl: String)? {
        guard let openssl = TestEnvironment.requiredTool("openssl"), let curl = TestEnvironment.requiredTool("curl") else { return nil }
        return (openssl, curl)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `step-ca ARGS` with the device's environment.
    func stepCA(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ProcessResult {
        let result = try Run.program(TestEnvironment.stepCA, arguments,
                                     environment: device.environment.merging(environment) { _, new in new }, timeout: timeout)
        if let secret = device.secret {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret),
                    "step-ca \(arguments.prefix(2).joined(separator: " ")) printed the PIN:\n\(result.stdout)\n\(result.stderr)")
        }
        return result
    }

    /// `step-ca ARGS`, which must succeed.
    @discardableResult
    func succeed(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        let result = try stepCA(arguments, environment: environment)
        guard result.status == 0 else {
            throw APITestError("step-ca \(arguments.joined(separator: " ")) failed (\(result.status)):\n\(result.stderr)\(result.stdout)")
        }
        return result
    }

    /// `step-ca ARGS`, which must fail with exactly one `error:` line naming `mentions`.
    func failOneLine(_ arguments: [String], mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try stepCA(arguments)
        #expect(result.status == 1, "step-ca \(arguments.joined(separator: " ")) → \(result.status)", sourceLocation: sourceLocation)
        // Plugins' own log lines (`2026/01/02 15:04:05 plugin: filekms: ...`) are not errors.
        let lines = result.stderr.split(separator: "\n").filter { !($0.first?.isNumber == true && $0.contains(" plugin: ")) }
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(result.stderr.contains(text), "\"\(text)\" missing from: \(result.stderr)", sourceLocation: sourceLocation)
        }
        return result.stderr
    }

    /// `openssl ARGS`.
    func openSSL(_ arguments: [String]) throws -> ProcessResult {
        try Run.program(openssl, arguments)
    }

    /// The public key of a certificate as PEM (`openssl x509 -pubkey`).
    func publicKeyPEM(ofCertificate path: String) throws -> String {
        let result = try openSSL(["x509", "-in", path, "-noout", "-pubkey"])
        guard result.status == 0 else { throw APITestError("openssl x509 -pubkey \(path): \(result.stderr)") }
        return result.stdout
    }

    /// The SHA-256 fingerprint of a certificate, lower-case hex without colons (step's form).
    func fingerprint(_ path: String) throws -> String {
        let result = try openSSL(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"])
        guard result.status == 0, let equals = result.stdout.firstIndex(of: "=") else {
            throw APITestError("openssl x509 -fingerprint \(path): \(result.stderr)")
        }
        return result.stdout[result.stdout.index(after: equals)...]
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
    }

    /// `openssl verify -CAfile root [-untrusted intermediate] cert`.
    func verify(_ certificate: String, root: String, untrusted: String? = nil) throws -> ProcessResult {
        var arguments = ["verify", "-CAfile", root]
        if let untrusted { arguments += ["-untrusted", untrusted] }
        return try openSSL(arguments + [certificate])
    }

    /// One HTTPS request to the CA with curl; returns the status and writes the body to `output`.
    func https(_ url: String, root: String, method: String = "GET", client: (crt: String, key: String)? = nil,
               output: String) throws -> Int {
        var arguments = ["-sS", "--max-time", "60", "--cacert", root, "-o", output, "-w", "%{http_code}", "-X", method]
        if let client { arguments += ["--cert", client.crt, "--key", client.key] }
        let result = try Run.program(curl, arguments + [url])
        guard result.status == 0 else { throw APITestError("curl \(url): \(result.stderr)") }
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// `kms create --json`: the key's name and public key PEM.
    func createKey(_ name: String, flags: [String] = []) throws -> (name: String, publicKey: String) {
        let result = try succeed(["kms", "create", "--json", "--kms", device.uri, "--plugin-dir", device.pluginDirectory] + flags + [name])
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String],
              let created = object["name"], let publicKey = object["publicKey"] else {
            throw APITestError("kms create --json printed no name and publicKey: \(result.stdout)")
        }
        #expect(result.stdout.hasPrefix("{\n  \"name\": "), "not step's JSON layout: \(result.stdout)")
        #expect(publicKey.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && publicKey.hasSuffix("-----END PUBLIC KEY-----\n"))
        return (created, publicKey)
    }

    /// The whole chapter: keys, certificates, ca.json, the CA, a leaf, a renewal, the CRL.
    func run() throws -> KMSWorkflowRun {
        let kms = ["--kms", device.uri, "--plugin-dir", device.pluginDirectory]

        // 1. Keys in the device, as `step kms create --json` prints them.
        let root = try createKey(device.rootKey)
        let intermediate = try createKey(device.intermediateKey, flags: device.intermediateKeyFlags)
        #expect(root.publicKey != intermediate.publicKey)
        let shown = try succeed(["kms", "key"] + kms + [root.name])
        #expect(shown.stdout == root.publicKey, "kms key printed another key than kms create")

        // 2. The CA certificates, signed inside the device.
        let rootPath = path("root_ca.crt"), intermediatePath = path("intermediate_ca.crt")
        try succeed(["certificate", "create", "--profile", "root-ca"] + kms + ["--key", root.name, "Workflow Root CA", rootPath])
        try succeed(["certificate", "create", "--profile", "intermediate-ca"] + kms
                    + ["--key", intermediate.name, "--ca", rootPath, "--ca-key", root.name, "--not-after", "43800h",
                       "Workflow Intermediate CA", intermediatePath])
        #expect(try publicKeyPEM(ofCertificate: rootPath) == root.publicKey)
        #expect(try publicKeyPEM(ofCertificate: intermediatePath) == intermediate.publicKey)
        let rootSelf = try verify(rootPath, root: rootPath)
        #expect(rootSelf.status == 0, "the root does not verify itself: \(rootSelf.stdout)\(rootSelf.stderr)")
        let chain = try verify(intermediatePath, root: rootPath)
        #expect(chain.status == 0 && chain.stdout.contains(": OK"), "openssl verify intermediate: \(chain.stdout)\(chain.stderr)")
        let rootText = try openSSL(["x509", "-in", rootPath, "-noout", "-text"]).stdout
        let intermediateText = try openSSL(["x509", "-in", intermediatePath, "-noout", "-text"]).stdout
        #expect(rootText.contains("CA:TRUE, pathlen:1") && intermediateText.contains("CA:TRUE, pathlen:0"))
        for text in [rootText, intermediateText] {
            #expect(text.contains("Certificate Sign, CRL Sign") && text.contains("Subject Key Identifier"))
        }
        #expect(intermediateText.contains("Authority Key Identifier") && intermediateText.contains("Issuer: CN = Workflow Root CA"))

        // 3. ca.json from `step-ca init`, pointed at the device (the seed's shapes).
        let stepPath = path("steppath"), password = path("password.txt")
        try "workflow-password\n".write(toFile: password, atomically: true, encoding: .utf8)
        try succeed(["init", "--name", "Workflow", "--dns", "localhost", "--address", "127.0.0.1:0",
                     "--provisioner", "admin@example.com", "--password-file", password, "--steppath", stepPath])
        let configPath = stepPath + "/config/ca.json"
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any] else {
            throw APITestError("step-ca init wrote no ca.json object")
        }
        config["root"] = rootPath
        config["crt"] = intermediatePath
        config["key"] = device.caKeyReference?(intermediate.name) ?? intermediate.name
        config["kms"] = ["type": device.type, "uri": device.uri]
        config["crl"] = ["enabled": true]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: configPath))

        // 4. The CA, signing through the plugin.
        let server = try ServerProcess(arguments: [configPath, "--plugin-dir", device.pluginDirectory],
                                       environment: device.environment.merging(["STEPPATH": stepPath]) { _, new in new },
                                       timeout: 60)
        defer { server.stop() }
        let base = "https://localhost:\(server.port)"
        let fingerprint = try fingerprint(rootPath)
        #expect(server.output.contains("X.509 Root Fingerprint: \(fingerprint)"), "start-up lines:\n\(server.output)")
        let client = ["--ca-url", base, "--root", rootPath]

        // 5. A leaf from /1.0/sign through the client command (its default form) and its chain.
        let leaf = path("leaf.crt"), leafKey = path("leaf.key")
        try succeed(["certificate", "leaf.example.com", leaf, leafKey, "--password-file", password] + client,
                    environment: ["STEPPATH": stepPath])
        let leafChain = try verify(leaf, root: rootPath, untrusted: intermediatePath)
        #expect(leafChain.status == 0 && leafChain.stdout.contains(": OK"), "openssl verify leaf: \(leafChain.stdout)\(leafChain.stderr)")
        let leafText = try openSSL(["x509", "-in", leaf, "-noout", "-issuer"]).stdout
        #expect(leafText.contains("Workflow Intermediate CA"), "leaf issuer: \(leafText)")
        // The same command named explicitly.
        let second = path("second.crt")
        try succeed(["certificate", "request", "second.example.com", second, path("second.key"), "--password-file", password] + client,
                    environment: ["STEPPATH": stepPath])
        #expect(try verify(second, root: rootPath, untrusted: intermediatePath).status == 0)

        // 6. Renewal over mutual TLS, and with a renew token (`step-ca renew`).
        let renewedBody = path("renewed.json")
        let status = try https(base + "/1.0/renew", root: rootPath, method: "POST", client: (leaf, leafKey), output: renewedBody)
        #expect(status == 201, "mTLS renew: HTTP \(status): \((try? String(contentsOfFile: renewedBody, encoding: .utf8)) ?? "")")
        if status == 201,
           let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: renewedBody))) as? [String: Any],
           let crt = object["crt"] as? String {
            let renewed = path("renewed.crt")
            try crt.write(toFile: renewed, atomically: true, encoding: .utf8)
            #expect(try verify(renewed, root: rootPath, untrusted: intermediatePath).status == 0)
        }
        let renewedByToken = path("renewed-token.crt")
        try succeed(["renew", leaf, leafKey, "--out", renewedByToken] + client, environment: ["STEPPATH": stepPath])
        #expect(try verify(renewedByToken, root: rootPath, untrusted: intermediatePath).status == 0)

        // 7. The CRL, signed through the plugin.
        let crl = path("ca.crl")
        let crlStatus = try https(base + "/1.0/crl", root: rootPath, output: crl)
        #expect(crlStatus == 200, "GET /1.0/crl: HTTP \(crlStatus)")
        let crlCheck = try openSSL(["crl", "-inform", "DER", "-in", crl, "-noout", "-verify", "-CAfile", intermediatePath])
        #expect(crlCheck.status == 0 && (crlCheck.stdout + crlCheck.stderr).contains("verify OK"),
                "openssl crl -verify: \(crlCheck.stdout)\(crlCheck.stderr)")

        let output = server.output
        #expect(server.stop() == 0, "step-ca did not stop cleanly:\n\(server.output)")
        if let secret = device.secret { #expect(!output.contains(secret), "the CA logged the PIN") }
        return KMSWorkflowRun(directory: directory, rootPath: rootPath, intermediatePath: intermediatePath,
                              rootKeyName: root.name, intermediateKeyName: intermediate.name, serverOutput: output)
    }
}
