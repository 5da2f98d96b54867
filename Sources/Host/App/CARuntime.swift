import Foundation
import X509
import StepCrypto
import StepConfig

/// Everything a running CA needs, loaded from ca.json in one place (start-up, later reload).
struct CARuntime: Sendable {
    var config: CAConfig
    var configPath: String
    var material: CAMaterial
    var database: any KeyValueStore
    /// The password that opened the CA key, kept so that a reload need not ask again.
    var password: Data?

    /// Loads ca.json, prints its warnings, opens the database and the CA key. Every failure is
    /// a ``StartupError`` whose message names the file and JSON path or plugin involved.
    /// On reload, `previous` supplies the open database (a changed `db` stanza is refused, as
    /// step-ca refuses it) and the password used at start-up.
    static func load(configPath: String, stepPath: StepPath, passwordFile: String?,
                     loader: PluginLoader, previous: CARuntime? = nil) async throws -> CARuntime {
        let config = try loadConfig(configPath: configPath, stepPath: stepPath)
        let passwords = RecordingPasswordSource(PasswordSource(passwordFile: passwordFile, configPassword: config.password,
                                                               remembered: previous?.password))
        let material = try await CAMaterial.load(config, passwords: passwords, loader: loader, previous: previous?.material)
        let database: any KeyValueStore
        if let previous {
            guard previous.config.db == config.db else {
                throw StartupError(.config, "\(config.fileName): db: the database cannot change on reload; restart step-ca to switch databases")
            }
            database = previous.database
        } else {
            database = try await DatabaseOpener.open(config.db, configFile: config.fileName, loader: loader,
                                                     enableAdmin: config.authority.enableAdmin)
        }
        return CARuntime(config: config, configPath: configPath, material: material, database: database,
                         password: passwords.resolved ?? previous?.password)
    }

    /// Loads and validates ca.json and prints its warnings; a failure is a ``StartupError``
    /// listing every problem with its JSON path.
    static func loadConfig(configPath: String, stepPath: StepPath) throws -> CAConfig {
        do {
            let loaded = try CAConfig.load(path: configPath, stepPath: stepPath)
            for warning in loaded.warnings { ConsoleLog.warning(warning.description) }
            return loaded.config
        } catch {
            var message = error.description
            for extra in error.additionalErrors { message += "\n\(extra.description)" }
            throw StartupError(.config, message)
        }
    }

    /// `https://<first dns name>[:port]`, the URL step-ca announces.
    var primaryURL: String {
        let host = config.dnsNames.first ?? "localhost"
        let port = ListenAddress(config.address)?.port ?? 443
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port == 443 ? "https://\(shownHost)" : "https://\(shownHost):\(port)"
    }
}

/// A password source that remembers what it resolved.
final class RecordingPasswordSource: @unchecked Sendable {
    private let source: PasswordSource
    private(set) var resolved: Data?

    init(_ source: PasswordSource) { self.source = source }

    func resolve(promptFor subject: String) throws -> Data? {
        let password = try source.resolve(promptFor: subject)
        resolved = password
        return password
    }
}
