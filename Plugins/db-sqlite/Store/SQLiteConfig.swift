import FoundationEssentials
import PluginKit

/// The ca.json `db` stanza as this plugin reads it:
/// `{"type": "sqlite", "dataSource": "/var/lib/step-ca/ca.db", "busyTimeout": "5s"?}`.
struct SQLiteConfig: Decodable {
    var type: String
    var dataSource: String
    /// How long a writer waits for a lock held by another process, in milliseconds.
    var busyTimeoutMilliseconds: Int32

    private enum CodingKeys: String, CodingKey { case type, dataSource, busyTimeoutMilliseconds }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        dataSource = try container.decodeIfPresent(String.self, forKey: .dataSource) ?? ""
        busyTimeoutMilliseconds = try container.decodeIfPresent(Int32.self, forKey: .busyTimeoutMilliseconds) ?? 10_000
    }

    /// Parses and validates the stanza, reporting problems with their JSON path.
    static func parse(_ json: String) throws -> SQLiteConfig {
        let config = try decodeConfigStanza(SQLiteConfig.self, from: json, root: "db")
        guard config.type.lowercased() == "sqlite" || config.type.lowercased() == "sqlite3" else {
            throw PluginError.invalidArgument("db.type: \"\(config.type)\" is not served by the sqlite plugin")
        }
        guard !config.dataSource.isEmpty else {
            throw PluginError.invalidArgument("db.dataSource: the path of the SQLite database file is required, e.g. \"db/step-ca.db\"")
        }
        guard !config.dataSource.contains("\0") else {
            throw PluginError.invalidArgument("db.dataSource: path contains a NUL byte")
        }
        guard config.busyTimeoutMilliseconds >= 0 else {
            throw PluginError.invalidArgument("db.busyTimeoutMilliseconds: must not be negative")
        }
        return config
    }
}
