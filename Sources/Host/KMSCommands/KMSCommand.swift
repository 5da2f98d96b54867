import ArgumentParser
import Foundation
import StepCrypto

/// `step-ca kms`: keys held by a key-management plugin (an HSM, a YubiKey, a key directory).
struct KMSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kms",
        abstract: "Create and read keys held by a KMS plugin (like step-kms-plugin).",
        subcommands: [KMSCreateCommand.self, KMSKeyCommand.self])
}

/// Flags shared by the kms commands: the key manager's URI and where its plugin lives.
struct KMSOptions: ParsableArguments {
    @Option(name: .long, help: "The kms URI, as ca.json's kms.uri (pkcs11:module-path=...;token=...?pin-value=..., yubikey:..., filekms:dir=...).")
    var kms: String

    @Option(name: .long, help: "The directory holding libstepca-*.so plugins (or set $STEPCA_PLUGIN_DIR).")
    var pluginDir: String?

    func open() async throws -> KMSSession {
        try await KMSSession.open(uri: kms, flag: "--kms", pluginDir: pluginDir)
    }
}

/// `step-ca kms create [--json] --kms URI [--kty EC|RSA|OKP] [--crv P256] [--size 2048] NAME`.
struct KMSCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key in the key manager and print its public key (like `step kms create`).")

    @Argument(help: "The key's name in the key manager (pkcs11:id=7331;object=intermediate, yubikey:slot-id=9c, filekms:name=root).")
    var name: String
    @OptionGroup var options: KMSOptions
    @Option(name: .long, help: "Key type: EC, RSA or OKP.") var kty = "EC"
    @Option(name: .long, help: "Curve of an EC key: P256, P384 or P521 (P-256 ... accepted).") var crv: String?
    @Option(name: .long, help: "RSA modulus size in bits.") var size: Int?
    @Flag(name: .long, help: "Print {\"name\": ..., \"publicKey\": ...} instead of the PEM public key.") var json = false

    func run() async throws {
        try await runKMSCommand {
            let type = try KMSKeyTypeFlags.keyType(kty: kty, crv: crv, size: size)
            let session = try await options.open()
            let created: KMSCreatedKey
            do {
                created = try await session.createKey(KMSKeyRequest(name: name, type: type, bits: type == .rsa ? (size ?? 2048) : 0))
            } catch {
                await session.close()
                throw error
            }
            await session.close()
            let pem = PEMBlock(type: "PUBLIC KEY", bytes: Data(created.publicKeyDER)).encoded
            if json {
                // As step prints it (Go's MarshalIndent): name first, two-space indent.
                func quoted(_ text: String) throws -> String {
                    String(decoding: try JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
                }
                print("{\n  \"name\": \(try quoted(created.name.isEmpty ? name : created.name)),\n  \"publicKey\": \(try quoted(pem))\n}")
            } else {
                print(pem, terminator: pem.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}

/// `step-ca kms key --kms URI NAME`: the PEM public key of a key.
struct KMSKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the public key of a key held by the key manager (like `step kms key`).")

    @Argument(help: "The key's name in the key manager.") var name: String
    @OptionGroup var options: KMSOptions

    func run() async throws {
        try await runKMSCommand {
            let session = try await options.open()
            let der: [UInt8]
            do {
                der = try await session.publicKey(name, flag: "key")
            } catch {
                await session.close()
                throw error
            }
            await session.close()
            let pem = PEMBlock(type: "PUBLIC KEY", bytes: Data(der)).encoded
            print(pem, terminator: pem.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// `--kty`, `--crv` and `--size` as step spells them → the ABI's key type.
enum KMSKeyTypeFlags {
    static func keyType(kty: String, crv: String?, size: Int?) throws -> KMSKeyType {
        let curve = crv?.uppercased().replacingOccurrences(of: "-", with: "")
        switch (kty.uppercased(), curve) {
        case ("EC", nil), ("EC", "P256"): return .ecP256
        case ("EC", "P384"): return .ecP384
        case ("EC", "P521"): return .ecP521
        case ("OKP", nil), ("OKP", "ED25519"): return .ed25519
        case ("RSA", nil):
            if let size, !(2048...8192).contains(size) { throw StartupError(.usage, "--size must be between 2048 and 8192") }
            return .rsa
        default:
            throw StartupError(.usage, "unsupported key type --kty \(kty)\(crv.map { " --crv \($0)" } ?? "")")
        }
    }
}
