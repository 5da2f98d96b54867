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
    var signingKey: CASigningKey
    /// The key manager holding the issuing key, when ca.json's `kms` names a plugin.
    var keyManager: KeyManagerPlugin?
    /// The `kms` object the key manager was opened with.
    var kmsConfig: KMSConfig?

    var issuer: Certificate { intermediates[0] }

    /// Loads everything ca.json points to; every error names the file.
    /// On reload, `previous` lends its open key manager when the `kms` object is unchanged.
    static func load(_ config: CAConfig, passwords: RecordingPasswordSource, loader: PluginLoader,
                     previous: CAMaterial? = nil) async throws -> CAMaterial {
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
        if let keyPath = managedKeyReference(keyPath, kms: config.kms) {
            let manager = try await openKeyManager(config, key: keyPath, loader: loader, previous: previous)
            let signingKey = try await managedKey(keyPath, manager: manager, config: config)
            guard signingKey.publicKey == intermediates[0].publicKey else {
                throw StartupError(.key, "\(config.fileName): key \"\(keyPath)\" does not match \(crt): the key's public key differs from the certificate's")
            }
            return CAMaterial(roots: roots, federatedRoots: federated, intermediates: intermediates,
                              signingKey: signingKey, keyManager: manager, kmsConfig: config.kms)
        }
        let path = keyPath.hasPrefix("softkms:") ? String(keyPath.dropFirst("softkms:".count)) : keyPath
        let key = try CAKeyLoader.load(path: path, passwords: passwords, purpose: "intermediate")
        guard key.publicKey.certificatePublicKey == intermediates[0].publicKey else {
            throw StartupError(.key, "\(path) does not match \(crt): the key's public key differs from the certificate's")
        }
        return CAMaterial(roots: roots, federatedRoots: federated, intermediates: intermediates,
                          signingKey: CASigningKey(file: key, path: path))
    }

    /// The key-manager name of `key`, or nil for a key file. ca.json's loader keeps the URIs of
    /// step's own schemes (`pkcs11:`, `yubikey:`, ...) but resolves any other reference as a path,
    /// so a plugin's own scheme (`filekms:name=intermediate`) arrives as
    /// `<STEPPATH>/filekms:name=intermediate`: with a `kms` object naming that plugin type, the
    /// last path component starting with `<type>:` is the reference as written.
    /// Cloud KMS also takes a bare resource name (`projects/P/locations/L/keyRings/R/cryptoKeys/K/
    /// cryptoKeyVersions/N`), which the loader has made `<STEPPATH>/projects/...`.
    static func managedKeyReference(_ key: String, kms: KMSConfig?) -> String? {
        if StepPath.isKeyManagerURI(key) { return key.lowercased().hasPrefix("softkms:") ? nil : key }
        if kms?.effectiveType == "cloudkms", let start = key.range(of: "projects/"),
           start.lowerBound == key.startIndex || key[key.index(before: start.lowerBound)] == "/",
           key[start.lowerBound...].contains("/cryptoKeys/") {
            return String(key[start.lowerBound...])
        }
        guard let kms, !KeyManagerOpener.builtInTypes.contains(kms.effectiveType) else { return nil }
        let last = (key as NSString).lastPathComponent
        return last.lowercased().hasPrefix(kms.effectiveType + ":") ? last : nil
    }

    /// The key manager for a key URI: the previous one when `kms` is unchanged, else the plugin
    /// ca.json's `kms` names (or, without a `kms` object, the one the URI's scheme names).
    private static func openKeyManager(_ config: CAConfig, key: String, loader: PluginLoader,
                                       previous: CAMaterial?) async throws -> KeyManagerPlugin {
        if let manager = previous?.keyManager, previous?.kmsConfig == config.kms { return manager }
        let kms = try config.kms ?? impliedKMS(forKey: key)
        guard let manager = try await KeyManagerOpener.open(kms, configFile: config.fileName, loader: loader) else {
            throw StartupError(.config, "\(config.fileName): key \"\(key)\" names a key manager but kms.type is \"\(kms.effectiveType)\"")
        }
        return manager
    }

    /// Without a `kms` object, a key URI names its key manager by its scheme and carries the
    /// connection attributes itself (`pkcs11:module-path=...;token=...;id=...`).
    private static func impliedKMS(forKey key: String) throws -> KMSConfig {
        let type = String(key.prefix { $0 != ":" })
        let json = try JSONSerialization.data(withJSONObject: ["type": type, "uri": key], options: [.sortedKeys, .withoutEscapingSlashes])
        return KMSConfig(type: type, uri: key, rawJSON: String(decoding: json, as: UTF8.self))
    }

    private static func managedKey(_ name: String, manager: KeyManagerPlugin, config: CAConfig) async throws -> CASigningKey {
        do {
            let der = try await manager.publicKey(name: name)
            return CASigningKey(managed: try KMSPrivateKey(manager: manager, name: name, publicKeyDER: der))
        } catch let error as KMSError {
            throw StartupError(.key, "\(config.fileName): key \"\(name)\": \(error.message)")
        } catch {
            throw StartupError(.key, "\(config.fileName): key \"\(name)\": the key manager returned an unreadable public key: \(error)")
        }
    }

}
