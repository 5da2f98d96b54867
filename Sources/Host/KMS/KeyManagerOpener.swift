import StepConfig

/// Turns the ca.json `kms` object into a key manager: none or `softkms` → nil (keys are PEM
/// files, read by ``CAKeyLoader``); any other type → the KMS plugin that serves it
/// (`pkcs11` → `libstepca-kms-pkcs11.so`, `yubikey` → yubikey, `awskms` → aws, `cloudkms` → gcp,
/// `azurekms` → azure, others by scanning the plugins' declared types), opened with the object.
enum KeyManagerOpener {
    /// Types served by the host itself, without a plugin.
    static let builtInTypes: Set<String> = ["softkms"]

    /// Opens the key manager `kms` names, or returns nil for file keys. Errors are
    /// ``StartupError``s naming the config file and, for open failures, carry the plugin's
    /// message (a wrong PIN, a missing token).
    static func open(_ kms: KMSConfig?, configFile: String, loader: PluginLoader) async throws -> KeyManagerPlugin? {
        guard let kms else { return nil }
        let type = kms.effectiveType
        if builtInTypes.contains(type) { return nil }
        let plugin: LoadedPlugin
        do {
            plugin = try loader.load(kind: .keyManagement, type: type)
        } catch let error as PluginLoadError {
            throw StartupError(.plugin, "\(configFile): kms.type \"\(type)\": \(error.message)")
        }
        do {
            return try await KeyManagerPlugin.open(plugin: plugin, configJSON: kms.rawJSON)
        } catch let error as KMSError {
            throw StartupError(.key, "\(configFile): kms: cannot open the key manager: \(error.message)")
        }
    }
}
