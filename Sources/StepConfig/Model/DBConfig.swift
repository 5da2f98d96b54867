/// The top-level `db` object.
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
}
