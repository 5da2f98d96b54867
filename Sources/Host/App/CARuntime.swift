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

    /// Loads ca.json, prints its warnings, opens the database and the CA key. Every failure is
    /// a ``StartupError`` whose message names the file and JSON path or plugin involved.
    static func load(configPath: String, stepPath: StepPath, passwordFile: String?,
                     loader: PluginLoader) async throws -> CARuntime {
        let config: CAConfig
        do {
            let loaded = try CAConfig.load(path: configPath, stepPath: stepPath)
            for warning in loaded.warnings { ConsoleLog.warning(warning.description) }
            config = loaded.config
        } catch {
            var message = error.description
            for extra in error.additionalErrors { message += "\n\(extra.description)" }
            throw StartupError(.config, message)
        }
        let passwords = PasswordSource(passwordFile: passwordFile, configPassword: config.password)
        let material = try CAMaterial.load(config, passwords: passwords)
        let database = try await DatabaseOpener.open(config.db, configFile: config.fileName, loader: loader,
                                                     enableAdmin: config.authority.enableAdmin)
        return CARuntime(config: config, configPath: configPath, material: material, database: database)
    }

    /// `https://<first dns name>[:port]`, the URL step-ca announces.
    var primaryURL: String {
        let host = config.dnsNames.first ?? "localhost"
        let port = ListenAddress(config.address)?.port ?? 443
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port == 443 ? "https://\(shownHost)" : "https://\(shownHost):\(port)"
    }
}
