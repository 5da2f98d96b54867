import AWSKMS
import Crypto
import _CryptoExtras
import Foundation
import PluginKit
import Testing

/// The moto AWS KMS emulator started by `scripts/services/moto.sh` (SigV4 checking on): its
/// endpoint and the access key of the IAM user it created, from `MOTO_*` variables.
enum AWSKMSMoto {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Whether the live tests run: moto is configured, or this is CI (where it must be).
    static var enabled: Bool { TestEnvironment.isCI || !(environment["MOTO_ENDPOINT"] ?? "").isEmpty }

    struct Server {
        let endpoint: String
        let region: String
        let accessKeyID: String
        let secretAccessKey: String
    }

    /// The server, or an error telling how to start it.
    static func server() throws -> Server {
        guard let endpoint = environment["MOTO_ENDPOINT"], !endpoint.isEmpty,
              let key = environment["MOTO_ACCESS_KEY_ID"], let secret = environment["MOTO_SECRET_ACCESS_KEY"] else {
            throw TestSetupError("MOTO_ENDPOINT is not set: run `eval \"$(scripts/services/moto.sh start)\"` first")
        }
        return Server(endpoint: endpoint, region: environment["MOTO_REGION"] ?? "us-east-1",
                      accessKeyID: key, secretAccessKey: secret)
    }

    /// Settings for the emulator, from the URI and an environment holding the keys.
    static func settings(secret: String? = nil) throws -> AWSKMSSettings {
        let server = try server()
        return try AWSKMSSettings.resolve(
            stanza: AWSKMSStanza(uri: "awskms:region=\(server.region);endpoint=\(server.endpoint)"),
            environment: ["AWS_ACCESS_KEY_ID": server.accessKeyID,
                          "AWS_SECRET_ACCESS_KEY": secret ?? server.secretAccessKey, "HOME": "/nonexistent"])
    }

    /// The ca.json `kms` object for the plugin: `awskms:` URI with the endpoint, and a
    /// credentials file (profile `ca`) written once per test process.
    static func pluginConfigJSON() throws -> String {
        let server = try server()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stepca-awskms-credentials-\(getpid())").path
        try "[ca]\naws_access_key_id = \(server.accessKeyID)\naws_secret_access_key = \(server.secretAccessKey)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return """
            {"type":"awskms","uri":"awskms:region=\(server.region);profile=ca;credentials-file=\(path);endpoint=\(server.endpoint)"}
            """
    }

    /// A P-256 and an RSA-2048 key created once per test process, with the algorithms each signs
    /// with (AWS KMS signs P-256 keys with ECDSA_SHA_256 only).
    static func sharedKeys() throws -> [(name: String, algorithms: [SignatureAlgorithm])] {
        try sharedKeysLock.withLock {
            if let keys = sharedKeysValue { return keys }
            let kms = try manager()
            defer { kms.close() }
            let ec = try kms.createKey(KeyRequest(name: "stepca-shared-ec", type: .ecP256))
            let rsa = try kms.createKey(KeyRequest(name: "stepca-shared-rsa", type: .rsa, bits: 2048))
            let keys: [(name: String, algorithms: [SignatureAlgorithm])] = [
                (ec.name, [.ecdsaSHA256]),
                (rsa.name, [.rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512, .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512]),
            ]
            sharedKeysValue = keys
            return keys
        }
    }
    private static let sharedKeysLock = NSLock()
    nonisolated(unsafe) private static var sharedKeysValue: [(name: String, algorithms: [SignatureAlgorithm])]?

    static func manager(secret: String? = nil) throws -> AWSKeyManager {
        let manager = try AWSKeyManager(settings: settings(secret: secret))
        manager.client.baseDelay = .milliseconds(20)
        return manager
    }
}

/// Verifies KMS signatures with swift-crypto, independently of the plugin.
enum AWSKMSVerifier {
    /// Hashes `message` with the algorithm's hash and returns the digest and a verifier.
    static func digest(_ message: [UInt8], _ algorithm: SignatureAlgorithm) -> [UInt8] {
        switch algorithm {
        case .ecdsaSHA256, .rsaPKCS1SHA256, .rsaPSSSHA256: return Array(SHA256.hash(data: message))
        case .ecdsaSHA384, .rsaPKCS1SHA384, .rsaPSSSHA384: return Array(SHA384.hash(data: message))
        default: return Array(SHA512.hash(data: message))
        }
    }

    static func verifies(spki: [UInt8], signature: [UInt8], message: [UInt8], algorithm: SignatureAlgorithm) throws -> Bool {
        switch algorithm {
        case .ecdsaSHA256:
            return try P256.Signing.PublicKey(derRepresentation: spki)
                .isValidSignature(P256.Signing.ECDSASignature(derRepresentation: signature), for: SHA256.hash(data: message))
        case .ecdsaSHA384:
            return try P384.Signing.PublicKey(derRepresentation: spki)
                .isValidSignature(P384.Signing.ECDSASignature(derRepresentation: signature), for: SHA384.hash(data: message))
        case .ecdsaSHA512:
            return try P521.Signing.PublicKey(derRepresentation: spki)
                .isValidSignature(P521.Signing.ECDSASignature(derRepresentation: signature), for: SHA512.hash(data: message))
        case .rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512, .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512:
            let key = try _RSA.Signing.PublicKey(derRepresentation: spki)
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let pss = [.rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512].contains(algorithm)
            let padding: _RSA.Signing.Padding = pss ? .PSS : .insecurePKCS1v1_5
            switch algorithm {
            case .rsaPKCS1SHA256, .rsaPSSSHA256:
                return key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: padding)
            case .rsaPKCS1SHA384, .rsaPSSSHA384:
                return key.isValidSignature(rsaSignature, for: SHA384.hash(data: message), padding: padding)
            default:
                return key.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: padding)
            }
        case .ed25519:
            return false
        }
    }
}

extension AWSKeyManager {
    /// `signAsync` as an async call.
    func signed(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            signAsync(key: key, algorithm: algorithm, digest: digest) { continuation.resume(with: $0) }
        }
    }
}
