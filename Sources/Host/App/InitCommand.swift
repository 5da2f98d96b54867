import ArgumentParser
import Foundation
import StepCrypto
import StepConfig

/// `step-ca init`: creates a PKI and ca.json like `step ca init`, for the embedded database.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a root and intermediate CA, a JWK provisioner and ca.json (like `step ca init`).")

    @Option(name: .long, help: "The name of the new PKI (\"<name> Root CA\", \"<name> Intermediate CA\").")
    var name: String?

    @Option(name: .long, help: "A DNS name or IP address of the CA (repeatable).")
    var dns: [String] = []

    @Option(name: .long, help: "The address the CA listens on, e.g. :443 or 127.0.0.1:9000.")
    var address: String?

    @Option(name: .long, help: "The name of the first JWK provisioner, e.g. you@example.com.")
    var provisioner: String?

    @Option(name: .long, help: "A file holding the password for the CA keys.")
    var passwordFile: String?

    @Option(name: .long, help: "A file holding the password for the provisioner key (default: the CA password).")
    var provisionerPasswordFile: String?

    @Option(name: .long, help: "Key type of the CA keys: EC, OKP or RSA.")
    var kty = "EC"

    @Option(name: .long, help: "Curve for EC (P-256, P-384, P-521) or OKP (Ed25519) keys.")
    var crv: String?

    @Option(name: .long, help: "RSA modulus size in bits.")
    var size = 2048

    @Option(name: .long, help: "The STEPPATH to write into (default: $STEPPATH, else ~/.step).")
    var steppath: String?

    @Flag(name: .long, help: "Replace an existing PKI.")
    var force = false

    @Flag(name: .customLong("no-db"), help: "Write ca.json without a database.")
    var noDB = false

    func run() throws {
        do {
            let result = try PKIInitializer(options: resolveOptions()).run()
            printSummary(result)
        } catch let error as StartupError {
            ConsoleLog.error(error.message)
            throw ExitCode(error.code == .usage ? 1 : 2)
        }
    }

    private func resolveOptions() throws -> PKIInitializer.Options {
        let interactive = Terminal.isInteractive
        var missing: [String] = []
        func value(_ given: String?, flag: String, prompt: String, default fallback: String? = nil) -> String {
            if let given, !given.isEmpty { return given }
            if interactive, let answer = Terminal.ask(prompt, default: fallback), !answer.isEmpty { return answer }
            missing.append(flag)
            return ""
        }
        let name = value(self.name, flag: "--name", prompt: "What would you like to name your new PKI?")
        var dnsNames = dns
        if dnsNames.isEmpty {
            let answer = value(nil, flag: "--dns", prompt: "What DNS names or IP addresses will clients use to reach your CA? (comma separated)", default: "localhost")
            dnsNames = answer.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let address = value(self.address, flag: "--address", prompt: "What IP and port will your new CA bind to?", default: ":443")
        let provisioner = value(self.provisioner, flag: "--provisioner", prompt: "What would you like to name the CA's first provisioner?")
        guard missing.isEmpty else {
            throw StartupError(.usage, "missing \(missing.joined(separator: ", ")): pass them as flags, or run init on a terminal to be asked")
        }
        guard ListenAddress(address) != nil else {
            throw StartupError(.usage, "--address \"\(address)\" is not host:port (for example :443 or 127.0.0.1:9000)")
        }
        let password = try resolvePassword()
        let provisionerPassword = try provisionerPasswordFile.map { try PasswordSource.read(file: $0) } ?? password
        let stepPath = steppath ?? StepPath.fromEnvironment().directory
        return PKIInitializer.Options(
            name: name, dnsNames: dnsNames, address: address, provisioner: provisioner, password: password,
            provisionerPassword: provisionerPassword, keyType: try keyType(), stepPath: stepPath, force: force,
            withDatabase: !noDB)
    }

    private func resolvePassword() throws -> Data {
        if let passwordFile { return try PasswordSource.read(file: passwordFile) }
        guard Terminal.isInteractive else {
            throw StartupError(.usage, "--password-file is required when init does not run on a terminal")
        }
        let first = Terminal.readSecret(prompt: "Choose a password for your CA keys and first provisioner [leave empty and we'll generate one]: ") ?? ""
        if first.isEmpty {
            let generated = Self.generatePassword()
            FileHandle.standardError.write(Data("✔ Password: \(generated)\n  Keep it safe: it decrypts your CA keys.\n".utf8))
            return Data(generated.utf8)
        }
        let again = Terminal.readSecret(prompt: "Confirm the password: ") ?? ""
        guard again == first else { throw StartupError(.usage, "the passwords do not match") }
        return Data(first.utf8)
    }

    /// A 32-character password from an unambiguous alphabet.
    static func generatePassword() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    private func keyType() throws -> KeyType {
        switch (kty.uppercased(), crv?.uppercased()) {
        case ("EC", nil), ("EC", "P-256"): return .ecdsaP256
        case ("EC", "P-384"): return .ecdsaP384
        case ("EC", "P-521"): return .ecdsaP521
        case ("OKP", nil), ("OKP", "ED25519"): return .ed25519
        case ("RSA", nil):
            guard (2048...8192).contains(size) else { throw StartupError(.usage, "--size must be between 2048 and 8192") }
            return .rsa(bits: size)
        default:
            throw StartupError(.usage, "unsupported key type --kty \(kty)\(crv.map { " --crv \($0)" } ?? "")")
        }
    }

    private func printSummary(_ result: PKIInitializer.Result) {
        var lines = [
            "✔ Root certificate: \(result.rootCertificate)",
            "✔ Root private key: \(result.rootKey)",
            "✔ Root fingerprint: \(result.fingerprint)",
            "✔ Intermediate certificate: \(result.intermediateCertificate)",
            "✔ Intermediate private key: \(result.intermediateKey)",
        ]
        if let database = result.databaseFile { lines.append("✔ Database file (sqlite): \(database)") }
        lines += [
            "✔ Default configuration: \(result.defaultsFile)",
            "✔ Certificate Authority configuration: \(result.configFile)",
            "",
            "Your PKI is ready to go. Start the CA with:",
            "  step-ca \(result.configFile)\(passwordFile.map { " --password-file \($0)" } ?? "")",
            "and bootstrap clients with:",
            "  step ca bootstrap --ca-url \(result.caURL) --fingerprint \(result.fingerprint)",
        ]
        print(lines.joined(separator: "\n"))
    }
}
