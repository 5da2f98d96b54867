/// The two kinds of plugins the host loads.
enum PluginKind: String, Sendable, CaseIterable {
    case database = "db"
    case keyManagement = "kms"

    /// The ABI value of `stepca_plugin_v1.kind`.
    var abiValue: UInt32 {
        switch self {
        case .database: return 1
        case .keyManagement: return 2
        }
    }

    var noun: String {
        switch self {
        case .database: return "database"
        case .keyManagement: return "KMS"
        }
    }

    /// The plugin that conventionally serves a ca.json type (`db.type`, `kms.type`), so that the
    /// loader can name the file it looks for. Unknown types are found by scanning descriptors.
    func conventionalPluginName(forType type: String) -> String? {
        switch (self, type.lowercased()) {
        case (.database, "sqlite"), (.database, "sqlite3"): return "sqlite"
        case (.database, "postgresql"), (.database, "postgres"): return "postgres"
        case (.database, "mysql"): return "mysql"
        case (.keyManagement, "pkcs11"): return "pkcs11"
        case (.keyManagement, "yubikey"): return "yubikey"
        case (.keyManagement, "awskms"): return "aws"
        case (.keyManagement, "cloudkms"): return "gcp"
        case (.keyManagement, "azurekms"): return "azure"
        default: return nil
        }
    }

    /// `libstepca-<kind>-<name>.so`.
    func fileName(pluginName: String) -> String {
        "libstepca-\(rawValue)-\(pluginName).so"
    }
}
