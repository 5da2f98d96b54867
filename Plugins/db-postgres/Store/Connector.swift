import CLibPQ
import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// Opens libpq connections for the configured data source.
///
/// The DSN goes to libpq untouched (`PQconnectdbParams` with `expand_dbname=1`), so URIs,
/// `key=value` strings, TLS options, `~/.postgresql/` files, `.pgpass`, service files and `PG*`
/// environment variables all work as in `psql`. The keyword arrays are, in order:
/// `fallback_application_name=step-ca`, `connect_timeout=10` (only when `PGCONNECT_TIMEOUT` is
/// not set; a `connect_timeout` in the DSN overrides it), `dbname=<DSN>` (expanded) and, when
/// the stanza has `database` (or for the maintenance database), a second `dbname=<plain name>`,
/// which libpq applies after the expanded DSN.
final class Connector: @unchecked Sendable {
    let dataSource: String
    let database: String?
    private let notices: NoticeLog
    private let host: PluginHost

    /// Seconds libpq waits for each connection attempt when neither the DSN nor the environment
    /// says: a black-holed server must not hang start-up.
    static let defaultConnectTimeout = "10"

    init(dataSource: String, database: String?, notices: NoticeLog, host: PluginHost) {
        self.dataSource = dataSource
        self.database = database
        self.notices = notices
        self.host = host
    }

    /// Connects to the configured database.
    func connect() -> Result<PGConnection, ConnectFailure> {
        connect(databaseOverride: database)
    }

    /// Connects with the DSN, replacing its database name by `databaseOverride` when given.
    func connect(databaseOverride: String?) -> Result<PGConnection, ConnectFailure> {
        var parameters: [(String, String)] = [("fallback_application_name", "step-ca")]
        if (getenv("PGCONNECT_TIMEOUT").map { String(cString: $0) } ?? "").isEmpty {
            parameters.append(("connect_timeout", Self.defaultConnectTimeout))
        }
        parameters.append(("dbname", dataSource))
        if let databaseOverride { parameters.append(("dbname", databaseOverride)) }

        let connection = withCStringArrays(parameters) { keywords, values in
            PQconnectdbParams(keywords, values, 1)
        }
        guard let connection else {
            return .failure(ConnectFailure(endpoint: "(unknown)", database: databaseOverride ?? "(unknown)",
                                           reason: "libpq could not allocate a connection", needsPassword: false))
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let failure = ConnectFailure(connection)
            PQfinish(connection)
            return .failure(failure)
        }
        return .success(PGConnection(handle: connection, notices: notices))
    }

    /// The first connection at open. When the database does not exist, creates it the way
    /// step-ca does (see ``DatabaseCreator``) and connects again.
    func connectCreatingDatabase() throws -> PGConnection {
        let failure: ConnectFailure
        switch connect() {
        case .success(let connection): return connection
        case .failure(let first): failure = first
        }
        guard failure.mayMeanMissingDatabase else { throw failure.pluginError }
        try DatabaseCreator(connector: self, host: host).ensure(failure.database, original: failure)
        switch connect() {
        case .success(let connection): return connection
        case .failure(let second): throw second.pluginError
        }
    }
}

/// Why a connection attempt failed, with what libpq says about where it tried.
struct ConnectFailure: Error {
    /// `host:port` of the last server tried (a socket directory for Unix sockets).
    let endpoint: String
    /// The database name libpq resolved (the user name when the DSN names none).
    let database: String
    /// libpq's reason on one line, with the password (if libpq knew one) removed.
    let reason: String
    /// libpq needed a password and had none.
    let needsPassword: Bool

    init(endpoint: String, database: String, reason: String, needsPassword: Bool) {
        self.endpoint = endpoint
        self.database = database
        self.reason = reason
        self.needsPassword = needsPassword
    }

    /// Reads the failure from a connection object whose status is `CONNECTION_BAD`.
    init(_ connection: OpaquePointer) {
        endpoint = describeEndpoint(host: PQhost(connection).map { String(cString: $0) } ?? "",
                                    port: PQport(connection).map { String(cString: $0) } ?? "")
        database = PQdb(connection).map { String(cString: $0) } ?? ""
        let password = PQpass(connection).map { String(cString: $0) } ?? ""
        reason = redact(oneLine(String(cString: PQerrorMessage(connection))), secret: password)
        needsPassword = PQconnectionNeedsPassword(connection) != 0
    }

    /// Whether the server may have refused the connection because the database does not exist.
    /// libpq does not expose the SQLSTATE of a failed connection, and the server's message is
    /// localised, so the test is loose (the message names the database); ``DatabaseCreator``
    /// then checks `pg_database` before creating anything.
    var mayMeanMissingDatabase: Bool {
        !needsPassword && !database.isEmpty && reason.contains(database)
    }

    /// The error for the host: `.auth` for credential problems, `.unavailable` otherwise.
    var pluginError: PluginError {
        let lowered = reason.lowercased()
        let credentials = needsPassword || lowered.contains("authentication failed")
        return PluginError(credentials ? .auth : .unavailable,
                           "postgresql: connection to \(endpoint) database \"\(database)\" failed: \(reason)")
    }
}

/// Creates a missing database as step-ca does: connected to a maintenance database with the same
/// DSN, `CREATE DATABASE "<name>"`.
struct DatabaseCreator {
    let connector: Connector
    let host: PluginHost

    /// The databases tried for the maintenance connection, in order. step-ca uses `template1`;
    /// `postgres` comes first because `CREATE DATABASE` fails with 55006 while another session is
    /// connected to the template it copies (`template1`).
    static let maintenanceDatabases = ["postgres", "template1"]
    /// How long `CREATE DATABASE` is retried while the template is in use.
    static let objectInUseRetry: Duration = .seconds(10)

    /// Makes sure database `name` exists. Throws `original` when no maintenance database can be
    /// reached (the original failure is the more useful message), or the creation error.
    func ensure(_ name: String, original: ConnectFailure) throws {
        var maintenance: PGConnection?
        for candidate in Self.maintenanceDatabases {
            if case .success(let connection) = connector.connect(databaseOverride: candidate) {
                maintenance = connection
                break
            }
        }
        guard let maintenance else { throw original.pluginError }
        defer { maintenance.close() }

        do {
            let existing = try maintenance.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", [.text(name)])
            // It exists (perhaps another instance just created it): the caller connects again.
            if existing.rowCount > 0 { return }
        } catch let failure as PGFailure {
            throw failure.pluginError()
        }

        let started = ContinuousClock.now
        while true {
            do {
                try maintenance.execute("CREATE DATABASE \(quoteIdentifier(name))")
                host.log(.info, "postgresql: created database \"\(name)\" on \(original.endpoint)")
                return
            } catch let failure as PGFailure {
                switch failure.sqlState {
                case PGFailure.State.duplicateDatabase?, PGFailure.State.uniqueViolation?:
                    return  // another instance created it concurrently
                case PGFailure.State.objectInUse? where ContinuousClock.now - started < Self.objectInUseRetry:
                    usleep(UInt32.random(in: 100_000...300_000))
                    continue
                default:
                    let cause = failure.pluginError()
                    throw PluginError(cause.code, "postgresql: database \"\(name)\" does not exist on \(original.endpoint) and could not be created: \(failure.description)")
                }
            }
        }
    }
}

/// `host:port` for messages: IPv6 addresses in brackets, a Unix socket directory as is.
func describeEndpoint(host: String, port: String) -> String {
    let shownHost = host.isEmpty ? "(default host)" : (host.contains(":") && !host.hasPrefix("/") ? "[\(host)]" : host)
    return port.isEmpty ? shownHost : "\(shownHost):\(port)"
}

/// Removes `secret` from `text` (libpq's messages do not contain the password; this is a guard).
func redact(_ text: String, secret: String) -> String {
    guard secret.count >= 4 else { return text }
    return text.replacing(secret, with: "********")
}

/// Calls `body` with NULL-terminated C arrays of the keywords and values.
private func withCStringArrays<R>(_ pairs: [(String, String)],
                                  _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let keywords = pairs.map { UnsafePointer(strdup($0.0)) } + [nil]
    let values = pairs.map { UnsafePointer(strdup($0.1)) } + [nil]
    defer {
        for pointer in keywords + values { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    return keywords.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!) }
    }
}
