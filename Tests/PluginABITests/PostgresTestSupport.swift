import CLibPQ
import Foundation
import Testing
@testable import Host

/// The PostgreSQL server the plugin tests use: `PG_DSN` (`scripts/test.sh` starts the server and
/// sets it). Locally the tests are skipped without it; in CI they run and fail.
enum PostgresTestServer {
    static var dsn: String? {
        let value = ProcessInfo.processInfo.environment["PG_DSN"] ?? ""
        return value.isEmpty ? nil : value
    }

    /// Whether the PostgreSQL tests run at all.
    static var enabled: Bool { TestEnvironment.isCI || dsn != nil }

    static func requireDSN() throws -> String {
        guard let dsn else {
            throw TestSetupError("PG_DSN is not set: run scripts/test.sh, or scripts/services/postgres.sh start and export its PG_DSN")
        }
        return dsn
    }
}

extension PostgresTestServer {
    /// The outcome of an async throwing call as a value.
    static func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Runs blocking work on a new thread and waits for it without blocking the caller's thread.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}

/// A ca.json `db` object for the postgresql plugin, with values JSON-escaped.
func postgresConfig(dataSource: String, database: String? = nil, extra: [String: Any] = [:]) -> String {
    var object: [String: Any] = ["type": "postgresql", "dataSource": dataSource]
    if let database { object["database"] = database }
    object.merge(extra) { _, new in new }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

/// Opens the postgresql plugin through the host's loader, as step-ca would. Opening blocks (it
/// connects, may create the database, may wait for a connect timeout), so it runs on a thread of
/// its own rather than on one of the few threads that run every test's async code.
func openPostgresPlugin(_ config: String) async throws -> OpenedStore {
    try await PostgresTestServer.onOwnThread {
        let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .database, type: "postgresql")
        let store = try PluginDatabase(plugin: plugin, configJSON: config, description: "postgresql test")
        return OpenedStore(store: store, pluginName: plugin.name)
    }
}

/// A database name no other test uses.
func uniquePostgresDatabase(_ label: String = "pgtest") -> String {
    "stepca_\(label)_\(UInt32.random(in: 0 ... .max))"
}

/// Runs `body` with the plugin opened on a new database (created by the plugin), then closes
/// the plugin and drops the database.
func withPostgresDatabase<T>(_ body: (_ dsn: String, _ database: String, _ opened: OpenedStore) async throws -> T) async throws -> T {
    let dsn = try PostgresTestServer.requireDSN()
    let database = uniquePostgresDatabase()
    defer { dropPostgresDatabase(database, dsn: dsn) }
    let opened = try await openPostgresPlugin(postgresConfig(dataSource: dsn, database: database))
    do {
        let result = try await body(dsn, database, opened)
        await opened.store.close()
        return result
    } catch {
        await opened.store.close()
        throw error
    }
}

/// Drops a test database, disconnecting whatever is still connected to it.
func dropPostgresDatabase(_ name: String, dsn: String) {
    guard let client = try? PGTestClient(dsn: dsn) else { return }
    try? client.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
}

/// A libpq connection opened by the test itself, independent of the plugin, for looking at
/// what the plugin did. Results are read as text.
final class PGTestClient {
    private let connection: OpaquePointer

    /// Connects with `dsn`, optionally to another database than the DSN's.
    init(dsn: String, database: String? = nil) throws {
        var keywords = ["dbname"], values = [dsn]
        if let database {
            keywords.append("dbname")
            values.append(database)
        }
        let cKeywords = keywords.map { UnsafePointer(strdup($0)) } + [nil]
        let cValues = values.map { UnsafePointer(strdup($0)) } + [nil]
        defer { (cKeywords + cValues).forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        guard let connection = PQconnectdbParams(cKeywords, cValues, 1) else { throw TestSetupError("libpq: out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw TestSetupError("test connection failed: \(message)")
        }
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    /// Runs SQL and returns its rows as text (nil for NULL).
    @discardableResult
    func rows(_ sql: String) throws -> [[String?]] {
        guard let result = PQexec(connection, sql) else { throw TestSetupError("libpq: \(String(cString: PQerrorMessage(connection)))") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw TestSetupError("\(sql): \(String(cString: PQresultErrorMessage(result)))")
        }
        return (0..<PQntuples(result)).map { row in
            (0..<PQnfields(result)).map { column in
                PQgetisnull(result, row, column) != 0 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    func execute(_ sql: String) throws { try rows(sql) }
}

/// A DSN taken apart by libpq, to build variants of it (another password, another port).
struct ParsedDSN {
    private(set) var options: [(keyword: String, value: String)] = []

    init(_ dsn: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(dsn, &message) else {
            defer { PQfreemem(message) }
            throw TestSetupError("PG_DSN is not a valid libpq connection string: \(message.map { String(cString: $0) } ?? "")")
        }
        defer { PQconninfoFree(parsed) }
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { options.append((String(cString: keyword), String(cString: value))) }
            option += 1
        }
    }

    func value(_ keyword: String) -> String? { options.first { $0.keyword == keyword }?.value }

    var host: String { value("host") ?? value("hostaddr") ?? "localhost" }
    var port: String { value("port") ?? "5432" }
    var password: String? { value("password") }

    /// A `key=value` connection string with `changes` applied (nil removes a keyword).
    func conninfo(_ changes: [String: String?] = [:]) -> String {
        var pairs = options.filter { changes[$0.keyword] == nil }
        for (keyword, value) in changes.sorted(by: { $0.key < $1.key }) {
            if let value = value { pairs.append((keyword, value)) }
        }
        return pairs.map { "\($0.keyword)='\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
            .joined(separator: " ")
    }
}

/// A TCP listener on 127.0.0.1 that never accepts: the kernel completes connections, but no
/// byte ever comes back, like a server that hangs. Closed by ``close()``.
final class SilentPostgresListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Int32 in
                guard bind(descriptor, socketAddress, length) == 0, listen(descriptor, 16) == 0 else { return -1 }
                return getsockname(descriptor, socketAddress, &length)
            }
        }
        guard status == 0 else {
            Glibc.close(descriptor)
            throw TestSetupError("cannot listen on 127.0.0.1")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(descriptor) }
}
