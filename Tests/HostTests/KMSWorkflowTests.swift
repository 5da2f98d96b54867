import Foundation
import Testing

/// The seed's cryptographic-protection chapter run as written, with the `step-ca` binary, on
/// the plain-C filekms plugin, on SoftHSM2 through the pkcs11 plugin, and on a virtual YubiKey
/// behind a real pcscd through the yubikey plugin. Serialised: the YubiKey is one device.
@Suite("KMS workflow: kms create, certificate create, a CA signing through the plugin", .serialized)
struct KMSWorkflowTests {
    // MARK: filekms (plain C, keys in files)

    /// The filekms plugin built with its Makefile into `.build/kms-workflow-tests/filekms`
    /// (a directory holding only it), once per test process.
    static let filekmsBuild: Result<String, Error> = Result {
        guard let make = TestEnvironment.tool("make"), TestEnvironment.tool("cc") != nil else {
            throw APITestError("make and cc are needed to build examples/c-filekms")
        }
        let out = TestEnvironment.repositoryRoot.appendingPathComponent(".build/kms-workflow-tests/filekms").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let example = TestEnvironment.repositoryRoot.appendingPathComponent("examples/c-filekms").path
        let result = try Run.program(make, ["-s", "-C", example, "OUT=\(out)", out + "/libstepca-kms-filekms.so"], timeout: 300)
        guard result.status == 0 else {
            throw APITestError("make -C \(example) OUT=\(out) failed (\(result.status)):\n\(result.stdout)\(result.stderr)")
        }
        return out
    }

    /// A plugin directory in `directory` holding the filekms plugin and the sqlite database
    /// plugin (the CRL needs a database), or nil when the tools are missing outside CI.
    static func filekmsDirectory(in directory: URL) throws -> String? {
        guard TestEnvironment.requiredTool("make") != nil, TestEnvironment.requiredTool("cc") != nil,
              let build = swiftPlugin("sqlite", kind: "db") else { return nil }
        let filekms = try filekmsBuild.get()
        let plugins = directory.appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        for (from, name) in [(filekms, "libstepca-kms-filekms.so"), (build, "libstepca-db-sqlite.so")] {
            try FileManager.default.createSymbolicLink(atPath: plugins + "/" + name, withDestinationPath: from + "/" + name)
        }
        return plugins
    }

    @Test("filekms: keys and CA certificates from the CLI, the CA signs leaves, renewals and its CRL through the plugin")
    func filekmsWorkflow() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let tools = KMSWorkflow.tools(), let plugins = try Self.filekmsDirectory(in: directory) else { return }
        let keys = directory.appendingPathComponent("keys").path
        let device = KMSDevice(label: "filekms", uri: "filekms:dir=\(keys)", type: "filekms", pluginDirectory: plugins,
                               rootKey: "filekms:name=root", intermediateKey: "intermediate",
                               intermediateKeyFlags: ["--kty", "EC", "--crv", "P384"])
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()
        // The plugin names keys canonically; the bare name was accepted as shorthand.
        #expect(run.rootKeyName == "filekms:name=root" && run.intermediateKeyName == "filekms:name=intermediate")
        #expect(FileManager.default.fileExists(atPath: keys + "/intermediate.pem"))
        let text = try workflow.openSSL(["x509", "-in", run.intermediatePath, "-noout", "-text"]).stdout
        #expect(text.contains("NIST CURVE: P-384") && text.contains("Signature Algorithm: ecdsa-with-SHA256"),
                "a P-384 intermediate signed by the P-256 root:\n\(text)")
    }

    @Test("filekms: usage and device errors are one line naming the URI")
    func filekmsErrors() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let tools = KMSWorkflow.tools(), let plugins = try Self.filekmsDirectory(in: directory) else { return }
        let uri = "filekms:dir=\(directory.path)/keys"
        let device = KMSDevice(label: "filekms", uri: uri, type: "filekms", pluginDirectory: plugins,
                               rootKey: "root", intermediateKey: "intermediate")
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let kms = ["--kms", uri, "--plugin-dir", plugins]

        // Key not found.
        _ = try workflow.failOneLine(["kms", "key"] + kms + ["missing"], mentions: [uri, "missing", "not found"])
        // Plugin missing: an empty plugin directory.
        let empty = directory.appendingPathComponent("no-plugins").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        _ = try workflow.failOneLine(["kms", "create", "--kms", uri, "--plugin-dir", empty, "root"], mentions: [uri, "filekms"])
        // An unknown scheme and a URI without one.
        _ = try workflow.failOneLine(["kms", "create", "--kms", "nosuchkms:x=1", "--plugin-dir", plugins, "k"],
                                     mentions: ["nosuchkms:x=1", "nosuchkms"])
        _ = try workflow.failOneLine(["kms", "create", "--kms", "just-a-name", "--plugin-dir", plugins, "k"],
                                     mentions: ["just-a-name", "not a kms URI"])
        _ = try workflow.failOneLine(["kms", "create", "--kty", "EC", "--crv", "P999"] + kms + ["k"], mentions: ["P999"])

        // A duplicate key, a missing --ca, a CA key that is not the CA certificate's.
        let root = try workflow.createKey("root")
        _ = try workflow.failOneLine(["kms", "create"] + kms + ["root"], mentions: ["root", uri])
        let other = try workflow.createKey("other")
        let rootPath = workflow.path("root.crt")
        try workflow.succeed(["certificate", "create", "--profile", "root-ca"] + kms + ["--key", root.name, "Errors Root", rootPath])
        _ = try workflow.failOneLine(["certificate", "create", "--profile", "intermediate-ca"] + kms
                                     + ["--key", other.name, "Errors Int", workflow.path("int.crt")], mentions: ["--ca"])
        _ = try workflow.failOneLine(["certificate", "create", "--profile", "intermediate-ca"] + kms
                                     + ["--key", root.name, "--ca", rootPath, "--ca-key", other.name, "Errors Int", workflow.path("int.crt")],
                                     mentions: [other.name, "does not match", rootPath])
        _ = try workflow.failOneLine(["certificate", "create", "--profile", "sub-ca"] + kms + ["--key", root.name, "X", workflow.path("x.crt")],
                                     mentions: ["sub-ca", "root-ca, intermediate-ca, leaf"])
        // An existing output file needs --force.
        _ = try workflow.failOneLine(["certificate", "create", "--profile", "root-ca"] + kms + ["--key", root.name, "Errors Root", rootPath],
                                     mentions: [rootPath, "--force"])
        #expect(!FileManager.default.fileExists(atPath: workflow.path("int.crt")))

        // A leaf for a device key, signed by a CA key held in another key directory (--ca-kms).
        let leafKeys = "filekms:dir=\(directory.path)/leaf-keys"
        let leafKey = try workflow.stepCA(["kms", "create", "--kms", leafKeys, "--plugin-dir", plugins, "--kty", "RSA", "--size", "2048", "web"])
        #expect(leafKey.status == 0 && leafKey.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----\n"), "\(leafKey.stderr)")
        let leafPath = workflow.path("web.crt")
        try workflow.succeed(["certificate", "create", "--profile", "leaf", "--kms", leafKeys, "--plugin-dir", plugins, "--key", "web",
                              "--ca", rootPath, "--ca-key", root.name, "--ca-kms", uri, "--san", "web.example.com", "--san", "10.0.0.1",
                              "--not-after", "1h", "web.example.com", leafPath])
        #expect(try workflow.verify(leafPath, root: rootPath).status == 0)
        let leafText = try workflow.openSSL(["x509", "-in", leafPath, "-noout", "-text"]).stdout
        #expect(leafText.contains("DNS:web.example.com, IP Address:10.0.0.1"), "\(leafText)")
        #expect(leafText.contains("Digital Signature, Key Encipherment") && leafText.contains("TLS Web Server Authentication"))
        #expect(!leafText.contains("CA:TRUE"))
    }

    // MARK: SoftHSM2 through the pkcs11 plugin

    /// SoftHSM2 tokens in `directory` made by scripts/services/softhsm.sh; nil when SoftHSM2 is
    /// missing outside CI.
    static func softHSM(in directory: URL) throws -> (module: String, conf: String)? {
        guard TestEnvironment.requiredTool("softhsm2-util") != nil, TestEnvironment.requiredTool("pkcs11-tool") != nil else { return nil }
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/softhsm.sh").path
        let result = try Run.program("/bin/bash", [script, "start"],
                                     environment: ["SOFTHSM_DIR": directory.appendingPathComponent("softhsm").path, "HSM_RSA": "0"],
                                     timeout: 300)
        guard result.status == 0 else { throw APITestError("softhsm.sh start failed:\n\(result.stderr)") }
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            for assignment in line.dropFirst(7).split(separator: " ") {
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
        }
        guard let conf = values["SOFTHSM2_CONF"], let module = values["PKCS11_MODULE"] else {
            throw APITestError("softhsm.sh start printed no SOFTHSM2_CONF or PKCS11_MODULE:\n\(result.stdout)")
        }
        return (module, conf)
    }

    /// The build directory when it holds `libstepca-<kind>-<name>.so`; nil (an issue in CI) otherwise.
    static func swiftPlugin(_ name: String, kind: String = "kms") -> String? {
        let directory = TestEnvironment.buildDirectory.path
        let file = "libstepca-\(kind)-\(name).so"
        if FileManager.default.fileExists(atPath: directory + "/" + file) { return directory }
        if TestEnvironment.isCI { Issue.record("\(file) is not in \(directory)") }
        else { print("skipping: \(file) is not built (swift build --product stepca-\(kind)-\(name))") }
        return nil
    }

    @Test("SoftHSM2: the seed's pkcs11 ca.json (kms.uri with pin-value, key pkcs11:id=7331;object=intermediate) runs a CA")
    func softHSMWorkflow() throws {
        guard let tools = KMSWorkflow.tools(), let plugins = Self.swiftPlugin("pkcs11") else { return }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let hsm = try Self.softHSM(in: directory) else { return }
        let pin = "123456"
        let uri = "pkcs11:module-path=\(hsm.module);token=stepca?pin-value=\(pin)"
        let device = KMSDevice(label: "SoftHSM2", uri: uri, type: "pkcs11", pluginDirectory: plugins,
                               rootKey: "pkcs11:id=7330;object=root", intermediateKey: "pkcs11:id=7331;object=intermediate",
                               environment: ["SOFTHSM2_CONF": hsm.conf])
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()
        #expect(run.rootKeyName == "pkcs11:id=7330;object=root")
        #expect(run.intermediateKeyName == "pkcs11:id=7331;object=intermediate")

        // Errors name the URI, never the PIN: a wrong PIN, a key that is not there, no module.
        let badPIN = "654321"
        let wrong = KMSWorkflow(device: KMSDevice(label: "SoftHSM2", uri: uri.replacingOccurrences(of: pin, with: badPIN), type: "pkcs11",
                                                  pluginDirectory: plugins, rootKey: "", intermediateKey: "",
                                                  environment: ["SOFTHSM2_CONF": hsm.conf], secret: badPIN),
                                directory: directory, openssl: tools.openssl, curl: tools.curl)
        let shown = "pkcs11:module-path=\(hsm.module);token=stepca?pin-value=***"
        let pinError = try wrong.failOneLine(["kms", "key", "--kms", wrong.device.uri, "--plugin-dir", plugins, run.rootKeyName],
                                             mentions: [shown, "CKR_PIN_INCORRECT"])
        #expect(!pinError.contains(badPIN))
        let quiet = KMSWorkflow(device: KMSDevice(label: "SoftHSM2", uri: uri, type: "pkcs11", pluginDirectory: plugins, rootKey: "",
                                                  intermediateKey: "", environment: ["SOFTHSM2_CONF": hsm.conf], secret: pin),
                                directory: directory, openssl: tools.openssl, curl: tools.curl)
        _ = try quiet.failOneLine(["kms", "key", "--kms", uri, "--plugin-dir", plugins, "pkcs11:id=7399;object=absent"],
                                  mentions: [shown, "pkcs11:id=7399;object=absent", "not found"])
        let noModule = uri.replacingOccurrences(of: hsm.module, with: "/nonexistent/libnothing.so")
        _ = try quiet.failOneLine(["kms", "create", "--kms", noModule, "--plugin-dir", plugins, "pkcs11:id=7398;object=x"],
                                  mentions: ["/nonexistent/libnothing.so", "pin-value=***"])
    }

    // MARK: YubiKey PIV through pcscd

    /// pcscd and the two virtual YubiKeys (scripts/services/piv-vcard.sh start, idempotent);
    /// false when pcscd or the vpcd driver is missing outside CI.
    static func startVirtualYubiKeys() throws -> Bool {
        let installed = FileManager.default.fileExists(atPath: "/usr/sbin/pcscd")
            && FileManager.default.fileExists(atPath: "/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
        if !installed && !TestEnvironment.isCI {
            print("skipping: pcscd or vsmartcard-vpcd is not installed")
            return false
        }
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/piv-vcard.sh").path
        let result = try Run.program("/bin/bash", [script, "start"], timeout: 300)
        guard result.status == 0 else { throw APITestError("piv-vcard.sh start failed:\n\(result.stdout)\(result.stderr)") }
        // Fresh cards: empty slots and default keys, whatever ran on them before.
        let reset = try Run.program("/bin/bash", [script, "reset"], timeout: 300)
        guard reset.status == 0 else { throw APITestError("piv-vcard.sh reset failed:\n\(reset.stdout)\(reset.stderr)") }
        return true
    }

    @Test("YubiKey: the seed's yubikey ca.json (key yubikey:slot-id=9c) runs a CA on a virtual card behind pcscd")
    func yubiKeyWorkflow() throws {
        guard let tools = KMSWorkflow.tools(), let plugins = Self.swiftPlugin("yubikey"), try Self.startVirtualYubiKeys() else { return }
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The second card (firmware 5.7.1, AES-192 management key with the default value).
        let pin = "123456"
        let managementKey = "010203040506070801020304050607080102030405060708"
        let uri = "yubikey:management-key=\(managementKey);serial=23456789?pin-value=\(pin)"
        let device = KMSDevice(label: "YubiKey", uri: uri, type: "yubikey", pluginDirectory: plugins,
                               rootKey: "yubikey:slot-id=9a", intermediateKey: "yubikey:slot-id=9c")
        let workflow = KMSWorkflow(device: device, directory: directory, openssl: tools.openssl, curl: tools.curl)
        let run = try workflow.run()
        #expect(run.rootKeyName == "yubikey:slot-id=9a" && run.intermediateKeyName == "yubikey:slot-id=9c")

        // A wrong PIN fails signing with one line that names the slot, not the PIN.
        let badPIN = "999999"
        let wrong = KMSWorkflow(device: KMSDevice(label: "YubiKey", uri: uri.replacingOccurrences(of: "pin-value=\(pin)", with: "pin-value=\(badPIN)"),
                                                  type: "yubikey", pluginDirectory: plugins, rootKey: "", intermediateKey: "", secret: badPIN),
                                directory: directory, openssl: tools.openssl, curl: tools.curl)
        let message = try wrong.failOneLine(["certificate", "create", "--profile", "root-ca", "--kms", wrong.device.uri, "--plugin-dir", plugins,
                                             "--key", "yubikey:slot-id=9a", "Wrong PIN Root", workflow.path("wrong.crt")],
                                            mentions: ["yubikey:slot-id=9a", "PIN"])
        #expect(!message.contains(managementKey))
        #expect(!FileManager.default.fileExists(atPath: workflow.path("wrong.crt")))
        // Give the PIN its tries back: one good signature resets the counter.
        try workflow.succeed(["certificate", "create", "--profile", "root-ca", "--kms", uri, "--plugin-dir", plugins,
                              "--key", "yubikey:slot-id=9a", "Good PIN Root", workflow.path("good.crt")])
    }
}
