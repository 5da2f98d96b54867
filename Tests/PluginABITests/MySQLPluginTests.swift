import Foundation
import Testing
import PluginKit
@testable import Host
@testable import MySQLKV

/// What only the MySQL plugin promises, against the server named by `MY_DSN`
/// (`scripts/services/mariadb.sh env`): step-ca's schema, the database created on open, clear
/// connection errors without the password, TLS refusal, session settings from the DSN, and
/// recovery after the server restarts. Skipped when `MY_DSN` is unset, except in CI.
@Suite("MySQL plugin", .enabled(if: MySQLTestServer.enabled, "MY_DSN is not set (scripts/services/mariadb.sh env)"), .serialized)
struct MySQLPluginTests {
    @Test("tables have step-ca's columns exactly, on InnoDB; mixed-case names are kept apart")
    func schema() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        try await server.withDatabase { database, opened in
            try await opened.store.createTable("acme_keyID_accountID_index")
            try await opened.store.createTable("ACME_KEYID_ACCOUNTID_INDEX")
            try await opened.store.createTable("x509_certs")
            try await opened.store.set("acme_keyID_accountID_index", b("k"), b("mixed"))
            try await opened.store.set("ACME_KEYID_ACCOUNTID_INDEX", b("k"), b("upper"))
            #expect(try await opened.store.get("acme_keyID_accountID_index", b("k")) == b("mixed"))
            #expect(try await opened.store.get("ACME_KEYID_ACCOUNTID_INDEX", b("k")) == b("upper"))
            await expectDatabaseError(.notFound, from: opened) { _ = try await opened.store.list("acme_keyid_accountid_index") }

            // The reference: step-ca's own statement, run by the mariadb client.
            try server.sql("CREATE TABLE IF NOT EXISTS `\(database)`.`stepca_reference`(nkey VARBINARY(255), nvalue BLOB, PRIMARY KEY (nkey));")
            let columns = """
                SELECT COLUMN_NAME, ORDINAL_POSITION, IFNULL(COLUMN_DEFAULT, 'NULL'), IS_NULLABLE, DATA_TYPE,
                       CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, COLUMN_TYPE, COLUMN_KEY, EXTRA
                FROM information_schema.columns WHERE TABLE_SCHEMA = '\(database)' AND TABLE_NAME = '%@' ORDER BY ORDINAL_POSITION
                """
            let reference = try server.sql(columns.replacingOccurrences(of: "%@", with: "stepca_reference"))
            #expect(reference.contains("nkey\t1\tNULL\tNO\tvarbinary\t255\t255\tvarbinary(255)\tPRI"), "\(reference)")
            #expect(reference.contains("nvalue\t2\tNULL\tYES\tblob\t65535\t65535\tblob"), "\(reference)")
            for table in ["acme_keyID_accountID_index", "ACME_KEYID_ACCOUNTID_INDEX", "x509_certs"] {
                #expect(try server.sql(columns.replacingOccurrences(of: "%@", with: table)) == reference, "\(table)")
            }
            let tables = try server.sql("SELECT TABLE_NAME, ENGINE FROM information_schema.tables WHERE TABLE_SCHEMA = '\(database)' AND TABLE_NAME <> 'stepca_reference' ORDER BY BINARY TABLE_NAME")
            #expect(tables == "ACME_KEYID_ACCOUNTID_INDEX\tInnoDB\nacme_keyID_accountID_index\tInnoDB\nx509_certs\tInnoDB\n")
        }
    }

    @Test("a missing database is created (backquotes in its name included); an existing one is reused")
    func createsDatabase() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        let database = "stepca_my_`odd` name_\(UInt32.random(in: 0 ... .max))"
        let escaped = database.replacingOccurrences(of: "`", with: "``")
        defer { _ = try? server.sql("DROP DATABASE IF EXISTS `\(escaped)`") }
        let listed = "SELECT COUNT(*) FROM information_schema.schemata WHERE SCHEMA_NAME = '\(database)'"
        #expect(try server.sql(listed) == "0\n")

        let opened = try server.open(database: database)
        try await opened.store.createTable("t")
        try await opened.store.set("t", b("k"), b("v"))
        await opened.store.close()
        #expect(try server.sql(listed) == "1\n")
        #expect(try server.sql("SELECT HEX(nkey), HEX(nvalue) FROM `\(escaped)`.`t`") == "6B\t76\n")

        // The DSN's database name is used when the `database` field is absent.
        let dsn = server.dsn(database: database.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let again = try server.open(json: #"{"type":"mariadb","dataSource":"\#(dsn)"}"#)
        #expect(try await again.store.get("t", b("k")) == b("v"))
        await again.store.close()
    }

    @Test("a wrong password fails to open with the server's reason, the target, and no password")
    func wrongPassword() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        let password = "Wr0ng-p@ss/w:rd"
        let dsn = server.dsn(database: "", password: password)
        let error = #expect(throws: DatabaseError.self) {
            _ = try server.open(json: #"{"type":"mysql","dataSource":"\#(dsn)","database":"stepca_never"}"#)
        }
        let message = error?.message ?? ""
        #expect(error?.code == .unavailable)
        #expect(message.hasPrefix("mysql plugin: open: mysql: connection to \(server.endpoint) database \"stepca_never\" failed: "), "\(message)")
        #expect(message.contains("Access denied for user '\(server.user)'"), "\(message)")
        #expect(!message.contains(password) && !message.contains("Wr0ng"), "the password leaked: \(message)")
    }

    @Test("an unreachable server fails fast with a clear message", .timeLimit(.minutes(1)))
    func unreachable() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        let port = try freeLocalPort()
        let started = Date()
        let error = #expect(throws: DatabaseError.self) {
            _ = try server.open(json: #"{"type":"mysql","dataSource":"stepca:secret-pw@tcp(127.0.0.1:\#(port))/","database":"ca"}"#)
        }
        #expect(Date().timeIntervalSince(started) < 9)  // refused at once, not after the 10 s connect timeout
        let message = error?.message ?? ""
        #expect(error?.code == .unavailable)
        #expect(message.contains("connection to 127.0.0.1:\(port) database \"ca\" failed: "), "\(message)")
        #expect(message.contains("Can't connect"), "\(message)")
        #expect(!message.contains("secret-pw"))

        // A socket that does not exist, and an address that does not answer within `timeout`.
        let socket = #expect(throws: DatabaseError.self) {
            _ = try server.open(json: #"{"type":"mysql","dataSource":"u:secret-pw@unix(/nonexistent/mysql.sock)/ca"}"#)
        }
        #expect(socket?.message.contains("unix socket /nonexistent/mysql.sock database \"ca\"") == true, "\(socket?.message ?? "")")
        let blackHole = Date()
        let timedOut = #expect(throws: DatabaseError.self) {
            _ = try server.open(json: #"{"type":"mysql","dataSource":"u:secret-pw@tcp(10.255.255.1:3306)/ca?timeout=1s"}"#)
        }
        #expect(Date().timeIntervalSince(blackHole) < 6)
        #expect(timedOut?.code == .unavailable)
    }

    @Test("tls=true and tls=skip-verify fail against a server without TLS; tls=preferred falls back")
    func tlsAgainstPlainServer() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        for mode in ["true", "skip-verify"] {
            let error = #expect(throws: DatabaseError.self) {
                _ = try server.open(json: #"{"type":"mysql","dataSource":"\#(server.dsn(database: ""))?tls=\#(mode)","database":"stepca_tls"}"#)
            }
            let message = error?.message ?? ""
            #expect(error?.code == .unavailable)
            #expect(message.contains("connection to \(server.endpoint) database \"stepca_tls\" failed"), "\(message)")
            #expect(message.contains("SSL") || message.contains("TLS"), "\(message)")
            #expect(!message.contains(server.password))
        }
        try await server.withDatabase(parameters: "?tls=preferred") { _, opened in
            try await opened.store.createTable("t")
        }
    }

    @Test("DSN parameters reach the session; the plugin adds STRICT_ALL_TABLES and autocommit")
    func sessionSettings() throws {
        let server = try MySQLTestServer.fromEnvironment()
        let database = "stepca_my_session_\(UInt32.random(in: 0 ... .max))"
        defer { _ = try? server.sql("DROP DATABASE IF EXISTS `\(database)`") }
        let dsn = try MySQLDSN.parse(server.dsn(database: "") + "?sql_mode=%27ANSI_QUOTES%27&wait_timeout=1234&time_zone=%27%2B02%3A00%27&charset=latin1,utf8mb4&collation=utf8mb4_bin")
        let connection = try MySQLConnection.open(ConnectionSettings(dsn: dsn, database: database), createDatabase: true)
        defer { connection.close() }
        let row = try #require(try connection.firstRow("SELECT @@SESSION.sql_mode, @@SESSION.wait_timeout, @@SESSION.time_zone, @@SESSION.autocommit, @@SESSION.collation_connection, DATABASE()"))
        let values = row.map { String(decoding: $0 ?? [], as: UTF8.self) }
        #expect(values[0] == "ANSI_QUOTES,STRICT_ALL_TABLES")
        #expect(values[1] == "1234")
        #expect(values[2] == "+02:00")
        #expect(values[3] == "1")
        #expect(values[4] == "utf8mb4_bin")
        #expect(values[5] == database)
    }

    @Test("a parameter the server refuses fails to open with invalidArgument naming it")
    func refusedParameter() throws {
        let server = try MySQLTestServer.fromEnvironment()
        let error = #expect(throws: DatabaseError.self) {
            _ = try server.open(json: #"{"type":"mysql","dataSource":"\#(server.dsn(database: ""))?no_such_variable=1","database":"stepca_refused"}"#)
        }
        #expect(error?.code == .invalid)
        #expect(error?.message.contains("db.dataSource: parameter no_such_variable: the server refused") == true, "\(error?.message ?? "")")
    }

    @Test("the server itself refuses an oversized value (strict mode), so nothing is ever truncated")
    func strictModeBehindTheCheck() throws {
        let server = try MySQLTestServer.fromEnvironment()
        let database = "stepca_my_strict_\(UInt32.random(in: 0 ... .max))"
        defer { _ = try? server.sql("DROP DATABASE IF EXISTS `\(database)`") }
        let settings = ConnectionSettings(dsn: try MySQLDSN.parse(server.dsn(database: "") + "?sql_mode=%27%27"), database: database)
        let connection = try MySQLConnection.open(settings, createDatabase: true)
        defer { connection.close() }
        let table = MySQLIdentifier("t")
        try connection.execute(Statements.createTable(table))
        let error = #expect(throws: MySQLError.self) {
            try Statements.upsert(table, Array("k".utf8), [UInt8](repeating: 7, count: 65_536), on: connection)
        }
        #expect(error?.code == MySQLError.dataTooLong)
        #expect(error?.pluginError(table: table).code == .invalidArgument)
        #expect(try Statements.read(table, Array("k".utf8), on: connection) == nil)
    }

    @Test("a listing stopped early leaves the store usable; long listings stream", .timeLimit(.minutes(2)))
    func listingStoppedEarly() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        try await server.withDatabase(parameters: "", maxConnections: 1) { _, opened in
            let db = opened.store
            try await db.createTable("certs")
            let value = randomBytes(2_000)
            for batch in 0..<10 {
                _ = try await db.update((0..<500).map { .set(table: "certs", key: b("serial-\(batch * 500 + $0)"), value: value) })
            }
            for limit in [1, 300, 4_900] {
                let seen = MySQLListCounter()
                try await db.forEach("certs") { _, _ in seen.increment() < limit }
                #expect(seen.value == limit)
                // One connection only: the next calls run on the same one or on a replacement.
                #expect(try await db.get("certs", b("serial-7")) == value)
            }
            let total = MySQLListCounter()
            try await db.forEach("certs") { key, entry in
                _ = total.increment()
                return key.starts(with: b("serial-")) && entry == value
            }
            #expect(total.value == 5_000)

            // The server has let go of the abandoned listings: DDL on the table does not wait.
            let started = Date()
            try await db.deleteTable("certs")
            #expect(Date().timeIntervalSince(started) < 10)
        }
    }

    @Test("a listing streams: 40 MB of rows pass through without the process growing by that much", .timeLimit(.minutes(3)))
    func listingMemory() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        try await server.withDatabase { _, opened in
            let db = opened.store
            try await db.createTable("x509_certs")
            let value = randomBytes(2_000)
            for batch in 0..<20 {
                _ = try await db.update((0..<1_000).map { .set(table: "x509_certs", key: b(String(batch * 1_000 + $0)), value: value) })
            }
            let baseline = MySQLListCounter.residentBytes()
            let peak = MySQLListCounter()
            let rows = MySQLListCounter()
            try await db.forEach("x509_certs") { _, entry in
                if rows.increment() % 1_000 == 0 { peak.raise(to: MySQLListCounter.residentBytes()) }
                return entry.count == 2_000
            }
            #expect(rows.value == 20_000)
            #expect(peak.value - baseline < 20 << 20, "resident memory grew by \((peak.value - baseline) >> 20) MiB while listing 40 MB")
        }
    }

    @Test("compare-and-swap is race-free across two independent handles (two CA processes)", .timeLimit(.minutes(2)))
    func compareAndSwapAcrossHandles() async throws {
        let server = try MySQLTestServer.fromEnvironment()
        try await server.withDatabase { database, first in
            let second = try server.open(database: database)
            do {
                try await first.store.createTable("counters")
                let stores = [first.store, second.store]
                let tasks = 12, increments = 10
                let claims = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<tasks {
                        group.addTask {
                            let db = stores[task % 2]
                            var known: [UInt8] = []
                            for _ in 0..<increments {
                                while true {
                                    let next = b(String((Int(String(decoding: known, as: UTF8.self)) ?? 0) + 1))
                                    let result = try await db.compareAndSwap("counters", b("n"), old: known, new: next)
                                    if result.swapped { known = next; break }
                                    known = result.current
                                }
                            }
                            // Two tasks, one per handle, claim each fresh key inside an update: one wins.
                            let claim = try await db.update([.compareAndSwap(table: "counters", key: b("claim-\(task / 2)"), old: [],
                                                                             new: b("\(task)"), abortOnMismatch: false)])
                            return claim == [.compareAndSwap(swapped: true, current: [])] ? 1 : 0
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(try await first.store.get("counters", b("n")) == b(String(tasks * increments)))
                #expect(claims == tasks / 2)
                #expect(try await second.store.list("counters").filter { $0.key.starts(with: b("claim-")) }.count == tasks / 2)
            } catch {
                await second.store.close()
                throw error
            }
            await second.store.close()
        }
    }

    @Test("after the server restarts, calls fail fast as unavailable, then succeed without reopening",
          .enabled(if: TestEnvironment.isCI || TestEnvironment.tool("mariadbd") != nil, "mariadbd is not installed"),
          .timeLimit(.minutes(3)))
    func reconnect() async throws {
        try await withScratchDirectory("stepca-mariadb") { scratch in
            let port = try freeLocalPort()
            let service = MySQLPrivateServer(directory: scratch.path, port: port)
            defer { service.stop() }
            try service.watch()
            try service.start()
            let dsn = "stepca:stepca-pw@tcp(127.0.0.1:\(port))/"
            let opened = try MySQLTestServer.openPlugin(json: #"{"type":"mysql","dataSource":"\#(dsn)?timeout=3s","database":"reconnect","maxConnections":2}"#)
            let db = opened.store
            try await db.createTable("t")
            try await db.set("t", b("k"), b("before"))

            service.stop()
            for _ in 0..<3 {
                let started = Date()
                let error = await expectDatabaseError(.unavailable, from: opened) { _ = try await db.get("t", b("k")) }
                #expect(Date().timeIntervalSince(started) < 9, "no hang while the server is down")
                #expect(error?.message.contains("127.0.0.1:\(port)") == true, "\(error?.message ?? "")")
            }
            await expectDatabaseError(.unavailable, from: opened) { try await db.set("t", b("k"), b("during")) }

            try service.start()
            #expect(try await db.get("t", b("k")) == b("before"))
            try await db.set("t", b("k"), b("after"))
            #expect(try await db.compareAndSwap("t", b("k"), old: b("after"), new: b("again")).swapped)
            #expect(try await db.list("t").count == 1)
            await db.close()
        }
    }
}

// MARK: - Helpers

/// The server named by `MY_DSN`, and the `mariadb` command-line client pointed at it.
struct MySQLTestServer {
    /// Whether the suite runs: `MY_DSN` is set, or this is CI (where it must be).
    static var enabled: Bool { TestEnvironment.isCI || TestEnvironment.serverConfigured("MY_DSN") }

    let user: String
    let password: String
    let host: String
    let port: Int

    static func fromEnvironment() throws -> MySQLTestServer {
        guard let text = ProcessInfo.processInfo.environment["MY_DSN"], !text.isEmpty else {
            throw TestSetupError("MY_DSN is not set: eval \"$(scripts/services/mariadb.sh env)\"")
        }
        let dsn = try MySQLDSN.parse(text)
        guard case .tcp(let host, let port) = dsn.endpoint else { throw TestSetupError("MY_DSN must use tcp(host:port)") }
        return MySQLTestServer(user: dsn.user, password: dsn.password, host: host, port: port)
    }

    var endpoint: String { "\(host):\(port)" }

    func dsn(database: String, password: String? = nil) -> String {
        "\(user):\(password ?? self.password)@tcp(\(host):\(port))/\(database)"
    }

    /// Runs SQL with the `mariadb` client and returns its tab-separated output without headers.
    @discardableResult
    func sql(_ statement: String) throws -> String {
        let client = try TestEnvironment.requireTool("mariadb")
        let output = try run(client, ["--no-defaults", "--protocol=tcp", "-h", host, "-P", String(port), "-u", user,
                                      "-p\(password)", "-N", "-B", "-e", statement])
        guard output.status == 0 else { throw TestSetupError("mariadb: \(output.output)") }
        return output.output
    }

    static func openPlugin(json: String) throws -> OpenedStore {
        let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .database, type: "mysql")
        return OpenedStore(store: try PluginDatabase(plugin: plugin, configJSON: json, description: "test"), pluginName: plugin.name)
    }

    func open(json: String) throws -> OpenedStore { try Self.openPlugin(json: json) }

    func open(database: String, parameters: String = "", maxConnections: Int = 8) throws -> OpenedStore {
        let escaped = database.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try open(json: #"{"type":"mysql","dataSource":"\#(dsn(database: ""))\#(parameters)","database":"\#(escaped)","maxConnections":\#(maxConnections)}"#)
    }

    /// Runs `body` with a store on a fresh database, dropping the database afterwards.
    func withDatabase(parameters: String = "", maxConnections: Int = 8,
                      _ body: (_ database: String, _ opened: OpenedStore) async throws -> Void) async throws {
        let database = "stepca_my_\(UInt32.random(in: 0 ... .max))"
        defer { _ = try? sql("DROP DATABASE IF EXISTS `\(database)`") }
        let opened = try open(database: database, parameters: parameters, maxConnections: maxConnections)
        do {
            try await body(database, opened)
            await opened.store.close()
        } catch {
            await opened.store.close()
            throw error
        }
    }
}

/// A MariaDB server of the test's own, started and stopped with `scripts/services/mariadb.sh`.
///
/// The test stops it in a `defer`; a watchdog (``watch()``) also stops it if the test process
/// dies first (a crash, or a run killed for taking too long).
struct MySQLPrivateServer {
    let directory: String
    let port: Int

    private var script: String {
        TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/mariadb.sh").path
    }

    private func script(_ action: String) throws -> ProcessOutput {
        try run("/usr/bin/env", ["INFRA_DIR=\(directory)", "MY_PORT=\(port)", "timeout", "120", "bash", script, action])
    }

    func start() throws {
        let output = try script("start")
        guard output.status == 0 else {
            stop()
            throw TestSetupError("mariadb.sh start failed: \(output.output)")
        }
    }

    /// Starts a detached shell that stops the server once this process has ended, unless the
    /// test removed the directory first (it does, after stopping the server itself).
    func watch() throws {
        let watch = """
            while kill -0 \(getpid()) 2>/dev/null && [ -d '\(directory)' ]; do sleep 1; done
            [ -d '\(directory)' ] && INFRA_DIR='\(directory)' MY_PORT=\(port) timeout 120 bash '\(script)' stop
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["bash", "-c", watch]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Stops the server; safe to call when it is not running.
    func stop() {
        _ = try? script("stop")
    }
}

/// A thread-safe counter for listing callbacks.
final class MySQLListCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    /// Adds one and returns the new count.
    func increment() -> Int { lock.withLock { count += 1; return count } }
    /// Keeps the larger of the current value and `candidate`.
    func raise(to candidate: Int) { lock.withLock { count = max(count, candidate) } }

    /// The process's resident set size in bytes (from /proc/self/statm).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
