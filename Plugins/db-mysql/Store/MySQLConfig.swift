import FoundationEssentials
import PluginKit

/// The ca.json `db` stanza as this plugin reads it:
/// `{"type": "mysql", "dataSource": "user:password@tcp(127.0.0.1:3306)/", "database": "stepca"?,
/// "maxConnections": 8?}`. Other fields step-ca knows for other drivers are ignored.
struct MySQLConfig {
    /// The ca.json type names this plugin serves.
    static let types = ["mysql", "mariadb"]
    static let defaultMaxConnections = 8

    var dsn: MySQLDSN
    /// The database to create and use: `database` when given, else the DSN's database name.
    var database: String
    var maxConnections: Int

    private struct Stanza: Decodable {
        var type: String
        var dataSource: String?
        var database: String?
        var maxConnections: Int?
    }

    /// Parses and validates the stanza; every problem is `.invalidArgument` naming its JSON path.
    static func parse(_ json: String) throws -> MySQLConfig {
        let stanza = try decodeConfigStanza(Stanza.self, from: json, root: "db")
        guard types.contains(stanza.type.lowercased()) else {
            throw PluginError.invalidArgument("db.type: \"\(stanza.type)\" is not served by the mysql plugin (types: mysql, mariadb)")
        }
        guard let dataSource = stanza.dataSource, !dataSource.isEmpty else {
            throw PluginError.invalidArgument("db.dataSource is required, e.g. \"user:password@tcp(127.0.0.1:3306)/\" (the Go MySQL driver's DSN syntax)")
        }
        let dsn = try MySQLDSN.parse(dataSource)
        let database = (stanza.database?.isEmpty == false ? stanza.database : nil) ?? dsn.database
        guard !database.isEmpty else {
            throw PluginError.invalidArgument("db.database: no database name: set db.database or end db.dataSource with /<name>")
        }
        if let problem = MySQLIdentifier.problem(database, kind: "database name") {
            throw PluginError.invalidArgument(stanza.database?.isEmpty == false ? "db.database: \(problem)" : "db.dataSource: \(problem)")
        }
        let maxConnections = stanza.maxConnections ?? defaultMaxConnections
        guard (1...1024).contains(maxConnections) else {
            throw PluginError.invalidArgument("db.maxConnections: \(maxConnections) is out of range (1 to 1024)")
        }
        return MySQLConfig(dsn: dsn, database: database, maxConnections: maxConnections)
    }
}
