import CLibPQ
import FoundationEssentials
import PluginKit

/// The ca.json `db` stanza as this plugin reads it:
/// `{"type": "postgresql", "dataSource": "<libpq URI or key=value string>", "database": "ca"?,
/// "maxConnections": 8?}`. Other members (step-ca's Badger options) are ignored.
struct PostgresConfig: Decodable {
    var type: String
    /// Anything libpq accepts: `postgresql://` / `postgres://` URIs or `key=value` strings.
    var dataSource: String
    /// Overrides the DSN's database name.
    var database: String?
    /// The size of the connection pool.
    var maxConnections: Int

    /// The connection pool size when the stanza does not say.
    static let defaultMaxConnections = 8

    private enum CodingKeys: String, CodingKey { case type, dataSource, database, maxConnections }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        dataSource = try container.decodeIfPresent(String.self, forKey: .dataSource) ?? ""
        database = try container.decodeIfPresent(String.self, forKey: .database)
        maxConnections = try container.decodeIfPresent(Int.self, forKey: .maxConnections) ?? Self.defaultMaxConnections
    }

    /// Parses and validates the stanza, reporting problems with their JSON path.
    static func parse(_ json: String) throws -> PostgresConfig {
        let config = try decodeConfigStanza(PostgresConfig.self, from: json, root: "db")
        guard ["postgresql", "postgres"].contains(config.type.lowercased()) else {
            throw PluginError.invalidArgument("db.type: \"\(config.type)\" is not served by the postgresql plugin (types: postgresql, postgres)")
        }
        guard !config.dataSource.allSatisfy(\.isWhitespace) else {
            throw PluginError.invalidArgument("""
                db.dataSource: a libpq connection string is required, e.g. \
                "postgresql://step:password@db.example.com:5432/stepca?sslmode=verify-full" or \
                "host=/var/run/postgresql dbname=stepca"
                """)
        }
        guard !config.dataSource.contains("\0") else {
            throw PluginError.invalidArgument("db.dataSource: contains a NUL byte")
        }
        try checkConnectionString(config.dataSource)
        if let database = config.database {
            guard !database.isEmpty else {
                throw PluginError.invalidArgument("db.database: must not be empty (leave it out to use the dataSource's database)")
            }
            guard !database.contains("\0") else { throw PluginError.invalidArgument("db.database: contains a NUL byte") }
            guard database.utf8.count <= TableName.maximumPartLength else {
                throw PluginError.invalidArgument("db.database: \"\(database)\" is longer than PostgreSQL's \(TableName.maximumPartLength)-byte name limit")
            }
        }
        guard (1...1000).contains(config.maxConnections) else {
            throw PluginError.invalidArgument("db.maxConnections: must be between 1 and 1000, not \(config.maxConnections)")
        }
        return config
    }

    /// Lets libpq parse the connection string, so a typo is reported at start-up with the JSON
    /// path. libpq's message quotes the text it stumbled on, which could be part of a password:
    /// quoted fragments that are not connection option names are elided.
    private static func checkConnectionString(_ dataSource: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(dataSource, &errorMessage) {
            PQconninfoFree(options)
            return
        }
        let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
        if let errorMessage { PQfreemem(errorMessage) }
        throw PluginError.invalidArgument("db.dataSource: not a valid libpq connection string or URI: \(elideQuoted(oneLine(reason)))")
    }

    /// Replaces quoted fragments of a libpq message with "…" unless they are option names or
    /// single characters (`missing "=" after "…"`). In the messages about an unknown option or
    /// URI parameter, the quoted fragment is a name and stays.
    static func elideQuoted(_ message: String) -> String {
        var names = connectionOptionNames
        if message.hasPrefix("invalid URI query parameter") || message.hasPrefix("invalid connection option") {
            var quoted = message.split(separator: "\"", omittingEmptySubsequences: false).dropFirst()
            if let name = quoted.popFirst(), name.count <= 64,
               name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) {
                names.insert(String(name))
            }
        }
        var output = ""
        var fragment: String?
        for character in message {
            if character == "\"" {
                if let quoted = fragment {
                    output += (quoted.count <= 1 || names.contains(quoted)) ? quoted : "…"
                    output.append("\"")
                    fragment = nil
                } else {
                    output.append("\"")
                    fragment = ""
                }
            } else if fragment != nil {
                fragment!.append(character)
            } else {
                output.append(character)
            }
        }
        if let fragment { output += fragment.isEmpty ? "" : "…" }
        return output
    }

    /// The names of libpq's connection options (`host`, `sslmode`, ...).
    static let connectionOptionNames: Set<String> = {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var names: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            names.insert(String(cString: keyword))
            option += 1
        }
        return names
    }()
}
