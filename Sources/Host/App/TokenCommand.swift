import ArgumentParser
import Foundation
import StepConfig
import StepCrypto

/// `step-ca token SUBJECT`: a one-time token like `step ca token`, made from a JWK provisioner's
/// encryptedKey in ca.json (offline, as `step ca token --offline --ca-config` does).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create a one-time token for a certificate (like `step ca token --offline`).")

    @Argument(help: "The subject (common name) of the certificate.")
    var subject: String

    @Option(name: .long, help: "The ca.json to read the provisioner and root from (default: $STEPPATH/config/ca.json).")
    var caConfig: String?

    @Option(name: .long, help: "The CA URL used as the token audience (default: from ca.json's dnsNames and address).")
    var caUrl: String?

    @Option(name: .long, help: "The name of the JWK provisioner (default: the first JWK provisioner).")
    var provisioner: String?

    @Option(name: .long, help: "A file with the password that decrypts the provisioner key.")
    var passwordFile: String?

    @Option(name: .long, help: "A subject alternative name (repeatable; default: the subject).")
    var san: [String] = []

    @Flag(name: .long, help: "Make a revocation token (the subject is the serial number).")
    var revoke = false

    @Option(name: .long, help: "Token lifetime as a Go duration.")
    var expiresIn = "5m"

    func run() throws {
        do {
            print(try makeToken())
        } catch let error as StartupError {
            ConsoleLog.error(error.message)
            throw ExitCode(1)
        }
    }

    func makeToken(now: Date = Date()) throws -> String {
        let stepPath = StepPath.fromEnvironment()
        let path = caConfig ?? (stepPath.directory as NSString).appendingPathComponent("config/ca.json")
        let config: CAConfig
        do {
            config = try CAConfig.load(path: path, stepPath: stepPath).config
        } catch {
            throw StartupError(.config, error.description)
        }
        let candidates = config.authority.provisioners.filter {
            guard case .jwk = $0.details else { return false }
            return provisioner == nil || $0.name == provisioner
        }
        guard let chosen = candidates.first, case .jwk(let details) = chosen.details, let encrypted = details.encryptedKey else {
            throw StartupError(.usage, "no JWK provisioner\(provisioner.map { " named \"\($0)\"" } ?? "") with an encryptedKey in \(path)")
        }
        guard let passwordFile else {
            throw StartupError(.usage, "--password-file is required to decrypt the provisioner key")
        }
        let jwk: JWK
        do {
            jwk = try JWE.decryptJWK(compact: encrypted, password: try PasswordSource.read(file: passwordFile))
        } catch let error as StepCryptoError {
            throw StartupError(.password, "provisioner \(chosen.name): \(CAKeyLoader.describe(error))")
        }
        let roots = try config.root.flatMap { try CertificateFiles.load($0, purpose: "root") }
        let audienceBase = caUrl ?? PKIInitializer.caURL(dnsName: config.dnsNames.first ?? "localhost", address: config.address)
        guard let lifetime = try? GoDuration(parsing: expiresIn) else {
            throw StartupError(.usage, "--expires-in \"\(expiresIn)\" is not a duration")
        }
        var privateClaims: [String: JSONValue] = [
            "sha": .string(roots.first.map(CertificateFiles.fingerprint) ?? ""),
        ]
        if !revoke {
            privateClaims["sans"] = .array((san.isEmpty ? [subject] : san).map { .string($0) })
        }
        let claims = JWTClaims(
            issuer: chosen.name, subject: subject,
            audience: [audienceBase.trimmingSuffix("/") + (revoke ? "/1.0/revoke" : "/1.0/sign")],
            expiry: NumericDate(now.addingTimeInterval(lifetime.timeInterval)), notBefore: NumericDate(now),
            issuedAt: NumericDate(now), id: Self.randomHex(32), privateClaims: privateClaims)
        return try JWS.sign(claims: claims, key: try jwk.privateKeyMaterial(), keyID: jwk.keyID)
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
