import ArgumentParser
import Foundation
import StepConfig

/// A key manager opened from a kms URI on the command line (`--kms pkcs11:...?pin-value=...`):
/// the plugin is the one serving the URI's scheme, opened with `{"type": scheme, "uri": URI}`,
/// exactly as ca.json's `kms` object would open it. Errors name the URI without its secrets.
struct KMSSession: Sendable {
    let manager: KeyManagerPlugin
    /// The URI with PINs and management keys masked, for messages.
    let displayURI: String
    /// The URI as given, to recognise a second flag naming the same key manager.
    let uri: String

    /// Opens the plugin serving `uri`'s scheme from `pluginDir` (or the usual plugin directories).
    static func open(uri: String, flag: String, pluginDir: String?) async throws -> KMSSession {
        let shown = KMSURIText.redacted(uri)
        guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else {
            throw StartupError(.usage, "\(flag) \"\(shown)\" is not a kms URI (for example pkcs11:token=..., yubikey:..., filekms:dir=...)")
        }
        let type = uri[..<colon].lowercased()
        if KeyManagerOpener.builtInTypes.contains(type) {
            throw StartupError(.usage, "\(flag) \"\(shown)\": \(type) keys are files and need no key manager")
        }
        let json = try JSONSerialization.data(withJSONObject: ["type": type, "uri": uri], options: [.sortedKeys, .withoutEscapingSlashes])
        let loader = PluginLoader(explicitDirectory: pluginDir)
        let plugin: LoadedPlugin
        do {
            plugin = try loader.load(kind: .keyManagement, type: type)
        } catch let error as PluginLoadError {
            throw StartupError(.plugin, "\(flag) \"\(shown)\": \(error.message)")
        }
        do {
            let manager = try await KeyManagerPlugin.open(plugin: plugin, configJSON: String(decoding: json, as: UTF8.self))
            return KMSSession(manager: manager, displayURI: shown, uri: uri)
        } catch let error as KMSError {
            throw StartupError(.key, "\(flag) \"\(shown)\": cannot open the key manager: \(KMSURIText.scrub(error.message, uri: uri))")
        }
    }

    /// The key `name` as a signer: its public key read from the key manager.
    func signingKey(_ name: String, flag: String) async throws -> KMSPrivateKey {
        let der = try await publicKey(name, flag: flag)
        do {
            return try KMSPrivateKey(manager: manager, name: name, publicKeyDER: der)
        } catch let error as KMSError {
            throw StartupError(.key, "\(flag) \"\(name)\" in \(displayURI): \(error.pluginMessage)")
        } catch {
            throw StartupError(.key, "\(flag) \"\(name)\" in \(displayURI): the key manager returned an unreadable public key: \(error)")
        }
    }

    /// The DER SubjectPublicKeyInfo of `name`.
    func publicKey(_ name: String, flag: String) async throws -> [UInt8] {
        do {
            return try await manager.publicKey(name: name)
        } catch let error as KMSError {
            throw StartupError(.key, "\(flag) \"\(name)\" in \(displayURI): \(KMSURIText.scrub(error.message, uri: uri))")
        }
    }

    /// Creates a key and returns what the plugin reports (its name and public key).
    func createKey(_ request: KMSKeyRequest) async throws -> KMSCreatedKey {
        do {
            return try await manager.createKey(request)
        } catch let error as KMSError {
            throw StartupError(.key, "cannot create key \"\(request.name)\" in \(displayURI): \(KMSURIText.scrub(error.message, uri: uri))")
        }
    }

    func close() async { await manager.close() }
}

/// Runs a kms command body: failures print one `error:` line and exit 1.
func runKMSCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as StartupError {
        ConsoleLog.error(error.message)
        throw ExitCode(1)
    } catch let error as KMSError {
        ConsoleLog.error(error.message)
        throw ExitCode(1)
    }
}
