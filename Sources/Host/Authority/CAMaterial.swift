import Foundation
import X509
import StepCrypto
import StepConfig

/// The CA's certificates and signing key as configured in ca.json.
struct CAMaterial: Sendable {
    /// `root`: the trust anchors served by /roots.
    var roots: [Certificate]
    /// `federatedRoots`: additional anchors served by /federation.
    var federatedRoots: [Certificate]
    /// `crt`: the issuing certificate first, then any further intermediates of the bundle.
    var intermediates: [Certificate]
    /// The issuing key.
    var signingKey: PrivateKeyMaterial

    var issuer: Certificate { intermediates[0] }

    /// Loads everything ca.json points to; every error names the file.
    static func load(_ config: CAConfig, passwords: RecordingPasswordSource) throws -> CAMaterial {
        var roots: [Certificate] = []
        for path in config.root { roots += try CertificateFiles.load(path, purpose: "root") }
        var federated: [Certificate] = []
        for path in config.federatedRoots ?? [] { federated += try CertificateFiles.load(path, purpose: "federated root") }
        guard let crt = config.crt else {
            throw StartupError(.config, "\(config.fileName): crt: the intermediate certificate is required")
        }
        let intermediates = try CertificateFiles.load(crt, purpose: "intermediate")
        guard let keyPath = config.key else {
            throw StartupError(.config, "\(config.fileName): key: the intermediate key is required")
        }
        if StepPath.isKeyManagerURI(keyPath), !keyPath.hasPrefix("softkms:") {
            throw StartupError(.plugin, """
                \(config.fileName): key "\(keyPath)" is held by a key manager; KMS-backed CA keys need a KMS plugin of type "\(config.kms?.effectiveType ?? String(keyPath.prefix { $0 != ":" }))", which this build does not include yet
                """)
        }
        let path = keyPath.hasPrefix("softkms:") ? String(keyPath.dropFirst("softkms:".count)) : keyPath
        let key = try CAKeyLoader.load(path: path, passwords: passwords, purpose: "intermediate")
        guard key.publicKey.certificatePublicKey == intermediates[0].publicKey else {
            throw StartupError(.key, "\(path) does not match \(crt): the key's public key differs from the certificate's")
        }
        return CAMaterial(roots: roots, federatedRoots: federated, intermediates: intermediates, signingKey: key)
    }
}
