import Foundation

/// The top-level `db` object. Two objects are equal when they say the same thing, however the
/// JSON is laid out (a reload compares them).
public struct DBConfig: Sendable, Equatable {
    /// Driver: `badgerv2`, `badger`, `badgerv1`, `bbolt`, `mysql`, `postgresql`,
    /// or a plugin's type such as `sqlite`.
    public var type: String
    /// Where the data lives: a directory or file (resolved against STEPPATH
    /// for `sqlite`/`sqlite3`), or a DSN for network databases.
    public var dataSource: String
    /// Database name for MySQL and PostgreSQL.
    public var database: String?
    /// Badger value-log directory.
    public var valueDir: String?
    /// Badger file loading mode: `mmap` or `fileio`.
    public var badgerFileLoadingMode: String?
    /// The object exactly as written in ca.json, for handing to a plugin.
    public var rawJSON: String

    /// Makes database settings.
    public init(type: String, dataSource: String, database: String? = nil, valueDir: String? = nil,
                badgerFileLoadingMode: String? = nil, rawJSON: String = "{}") {
        self.type = type
        self.dataSource = dataSource
        self.database = database
        self.valueDir = valueDir
        self.badgerFileLoadingMode = badgerFileLoadingMode
        self.rawJSON = rawJSON
    }

    public static func == (lhs: DBConfig, rhs: DBConfig) -> Bool {
        lhs.type == rhs.type && lhs.dataSource == rhs.dataSource && lhs.database == rhs.database
            && lhs.valueDir == rhs.valueDir && lhs.badgerFileLoadingMode == rhs.badgerFileLoadingMode
            && canonical(lhs.rawJSON) == canonical(rhs.rawJSON)
    }

    /// The JSON text with sorted keys and no layout, or the text itself when it does not parse.
    private static func canonical(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
