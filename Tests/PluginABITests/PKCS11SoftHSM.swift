import Foundation
import Testing

/// SoftHSM2 tokens for the tests of this process, made by `scripts/services/softhsm.sh` in a
/// directory of their own: token `stepca` with an EC P-256 key (id 01, `ec-key`) and an RSA-2048
/// key (id 02, `rsa-key`), plus empty tokens `pin-check` (for wrong-PIN tests, which must not
/// meet an existing login) and `second` (the same, for the opener). No label is a prefix of another: pkcs11-tool's
/// `--token-label` matches prefixes.
///
/// SoftHSM reads `SOFTHSM2_CONF` once per process, when the module initialises, so the first
/// use sets it for the whole test process; subprocesses (pkcs11-tool) inherit it.
struct SoftHSM: Sendable {
    /// How the plugin reaches the token.
    enum Route: Sendable { case direct, p11KitProxy }

    let directory: String
    let module: String
    let proxyModule: String
    let token = "stepca"
    let pin = "123456"
    let ecKeyName = "pkcs11:id=%01;object=ec-key"
    let rsaKeyName = "pkcs11:id=02;object=rsa-key"
    /// A token nobody logs in to except the wrong-PIN tests.
    let pinToken = "pin-check"
    let secondToken = "second"

    static let moduleCandidates = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                                   "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"]
    static let proxyCandidates = ["/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so"]

    /// Whether SoftHSM tests may run: SoftHSM2 and pkcs11-tool are installed, or this is CI
    /// (where they must be, and a missing one fails the tests).
    static var isAvailable: Bool {
        TestEnvironment.isCI || (moduleCandidates.contains { FileManager.default.fileExists(atPath: $0) }
            && TestEnvironment.tool("pkcs11-tool") != nil && TestEnvironment.tool("softhsm2-util") != nil)
    }

    /// Whether the p11-kit proxy module is there too.
    static var isProxyAvailable: Bool {
        TestEnvironment.isCI || (isAvailable && proxyCandidates.contains { FileManager.default.fileExists(atPath: $0) })
    }

    /// The tokens of this process (made once).
    static func shared() throws -> SoftHSM { try setup.get() }

    /// The ca.json `kms` object for token `stepca` through a route.
    func config(route: Route) -> String {
        #"{"type":"pkcs11","uri":"\#(uri(route: route))"}"#
    }

    /// `pkcs11:module-path=...;token=...?pin-value=...`.
    func uri(route: Route = .direct, token: String? = nil, pin: String? = nil) -> String {
        "pkcs11:module-path=\(route == .direct ? module : proxyModule);token=\(token ?? self.token)?pin-value=\(pin ?? self.pin)"
    }

    /// Runs pkcs11-tool on the SoftHSM module with the given arguments.
    func pkcs11Tool(_ arguments: [String]) throws -> ProcessOutput {
        try run(try TestEnvironment.requireTool("pkcs11-tool"), ["--module", module] + arguments)
    }

    nonisolated(unsafe) private static var directoryToRemove: String?

    /// Keeps every registered module except SoftHSM out of the p11-kit proxy in this process:
    /// a user module configuration (`$XDG_CONFIG_HOME/pkcs11/modules/<name>.module` with
    /// `disable-in: p11-kit-proxy`) per other module. Otherwise the proxy also initialises
    /// OpenSC, whose `C_Initialize` waits on any smart-card reader pcscd offers (the virtual
    /// PIV card of the YubiKey tests), and a reader that does not answer stalls the proxy.
    private static func restrictProxyToSoftHSM(configHome: String) throws {
        let system = "/usr/share/p11-kit/modules"
        let modules = configHome + "/pkcs11/modules"
        try FileManager.default.createDirectory(atPath: modules, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: system)) ?? []
        where name.hasSuffix(".module") && name != "softhsm2.module" {
            try "disable-in: p11-kit-proxy\n".write(toFile: modules + "/" + name, atomically: true, encoding: .utf8)
        }
        setenv("XDG_CONFIG_HOME", configHome, 1)
    }

    private static let setup: Result<SoftHSM, Error> = Result {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/softhsm.sh").path
        let directory = NSTemporaryDirectory() + "/stepca-softhsm-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
        var environment = ProcessInfo.processInfo.environment
        environment["SOFTHSM_DIR"] = directory
        environment["HSM_EXTRA_TOKENS"] = "pin-check second"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("\(script) start failed (\(process.terminationStatus)):\n\(String(decoding: errorData, as: UTF8.self))")
        }
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("export ") {
            for assignment in line.dropFirst(7).split(separator: " ") {
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                values[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
        }
        guard let conf = values["SOFTHSM2_CONF"], let module = values["PKCS11_MODULE"] else {
            throw TestSetupError("\(script) start printed no SOFTHSM2_CONF or PKCS11_MODULE")
        }
        setenv("SOFTHSM2_CONF", conf, 1)
        try restrictProxyToSoftHSM(configHome: directory + "/xdg")
        directoryToRemove = directory
        atexit {
            if let directory = SoftHSM.directoryToRemove { try? FileManager.default.removeItem(atPath: directory) }
        }
        return SoftHSM(directory: directory, module: module, proxyModule: values["PKCS11_PROXY_MODULE"] ?? "")
    }
}
