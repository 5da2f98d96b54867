import Foundation
import PluginKit
import PostgresKV
import Testing
@testable import Host

/// What only the PostgreSQL plugin promises: step-ca's schema, the database created when
/// missing (also by two instances at once), DSN handling and clear connection errors.
@Suite("PostgreSQL plugin", .enabled(if: PostgresTestServer.enabled, "PG_DSN is not set"), .timeLimit(.minutes(2)))
struct PostgresPluginTests {
    @Test("tables have step-ca's schema, and mixed-case names keep their case")
    func schema() async throws {
        try await withPostgresDatabase { dsn, database, opened in
            let db = opened.store
            try await db.createTable("x509_certs")
            try await db.createTable("acme_keyID_accountID_index")
            try await db.set("acme_keyID_accountID_index", b("thumbprint"), b("account"))
            #expect(try await db.get("acme_keyID_accountID_index", b("thumbprint")) == b("account"))

            let client = try PGTestClient(dsn: dsn, database: database)
            // step-ca's statement, verbatim, as the reference.
            try client.execute(#"CREATE TABLE IF NOT EXISTS "stepca_reference" (nkey BYTEA CHECK (octet_length(nkey) <= 255), nvalue BYTEA, PRIMARY KEY (nkey));"#)

            func columns(_ table: String) throws -> [[String?]] {
                try client.rows("""
                    SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = '\(table)' ORDER BY ordinal_position
                    """)
            }
            func constraints(_ table: String) throws -> [[String?]] {
                try client.rows("""
                    SELECT contype::text, pg_get_constraintdef(oid) FROM pg_constraint
                    WHERE conrelid = '"\(table)"'::regclass ORDER BY contype
                    """)
            }
            let expectedColumns: [[String?]] = [["nkey", "bytea", "NO", nil], ["nvalue", "bytea", "YES", nil]]
            let expectedConstraints: [[String?]] = [["c", "CHECK ((octet_length(nkey) <= 255))"], ["p", "PRIMARY KEY (nkey)"]]
            for table in ["x509_certs", "acme_keyID_accountID_index"] {
                #expect(try columns(table) == expectedColumns, "\(table)")
                #expect(try constraints(table) == expectedConstraints, "\(table)")
                #expect(try columns(table) == columns("stepca_reference"))
                #expect(try constraints(table) == constraints("stepca_reference"))
            }

            let tables = try client.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")
                .compactMap { $0.first ?? nil }
            #expect(tables.contains("acme_keyID_accountID_index"))
            #expect(!tables.contains("acme_keyid_accountid_index"), "the name must be quoted, not folded to lower case")
            #expect(try client.rows(#"SELECT encode(nkey, 'escape'), encode(nvalue, 'escape') FROM "acme_keyID_accountID_index""#)
                    == [["thumbprint", "account"]])
        }
    }

    /// How the DSN is written in ca.json.
    enum DSNForm: String, CaseIterable, Sendable {
        case uri, keywordValue
    }

    @Test("\"database\" overrides the DSN's database, which the plugin creates", arguments: DSNForm.allCases)
    func databaseOverride(form: DSNForm) async throws {
        let dsn = try PostgresTestServer.requireDSN()
        let dataSource = form == .uri ? dsn : try ParsedDSN(dsn).conninfo()
        let database = uniquePostgresDatabase("override")
        defer { dropPostgresDatabase(database, dsn: dsn) }
        let admin = try PGTestClient(dsn: dsn)
        #expect(try admin.rows("SELECT 1 FROM pg_database WHERE datname = '\(database)'").isEmpty)

        let opened = try await openPostgresPlugin(postgresConfig(dataSource: dataSource, database: database))
        let table = "only_in_\(database)"
        try await opened.store.createTable(table)
        try await opened.store.set(table, b("k"), b("v"))
        await opened.store.close()

        #expect(try admin.rows("SELECT 1 FROM pg_database WHERE datname = '\(database)'").count == 1)
        let inOverride = try PGTestClient(dsn: dsn, database: database)
        #expect(try inOverride.rows("SELECT count(*) FROM \"\(table)\"") == [["1"]])
        #expect(try admin.rows("SELECT to_regclass('\"\(table)\"') IS NULL") == [["t"]], "nothing is written to the DSN's database")
    }

    @Test("two instances opening the same new database at once both succeed")
    func concurrentCreation() async throws {
        let dsn = try PostgresTestServer.requireDSN()
        for round in 0..<4 {
            let database = uniquePostgresDatabase("race")
            defer { dropPostgresDatabase(database, dsn: dsn) }
            let config = postgresConfig(dataSource: dsn, database: database)
            async let first = PostgresTestServer.outcome { try await openPostgresPlugin(config) }
            async let second = PostgresTestServer.outcome { try await openPostgresPlugin(config) }
            var stores: [OpenedStore] = []
            for outcome in await [first, second] {
                switch outcome {
                case .success(let opened): stores.append(opened)
                case .failure(let error): Issue.record("round \(round): open failed: \(error)")
                }
            }
            if stores.count == 2 {
                try await stores[0].store.createTable("t")
                try await stores[0].store.set("t", b("k"), b("from the first"))
                #expect(try await stores[1].store.get("t", b("k")) == b("from the first"))
            }
            for opened in stores { await opened.store.close() }
        }
    }

    @Test("create_table from many connections and two instances at once is idempotent")
    func concurrentTableCreation() async throws {
        try await withPostgresDatabase { dsn, database, first in
            let second = try await openPostgresPlugin(postgresConfig(dataSource: dsn, database: database))
            let stores = [first.store, second.store]
            let tables = (0..<4).map { "race_\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    let store = stores[index % 2]
                    group.addTask {
                        for table in tables { try await store.createTable(table) }
                        _ = try await store.update([.createTable("in_update"), .set(table: "in_update", key: b("k\(index)"), value: b("v"))])
                    }
                }
                try await group.waitForAll()
            }
            for table in tables { #expect(try await first.store.list(table).isEmpty) }
            #expect(try await second.store.list("in_update").count == 16)
            await second.store.close()
        }
    }

    @Test("listing streams past the fetch size and stops when the visitor says so")
    func streamingList() throws {
        let dsn = try PostgresTestServer.requireDSN()
        let database = uniquePostgresDatabase("list")
        defer { dropPostgresDatabase(database, dsn: dsn) }
        let store = try PostgresStore.open(configJSON: postgresConfig(dataSource: dsn, database: database), host: .detached)
        defer { store.close() }
        let table = b("many")
        try store.createTable(table)
        let count = 2_500
        _ = try store.update((0..<count).map { .set(table: table, key: b("k\($0)"), value: b("v\($0)")) })

        var seen = Set<[UInt8]>()
        try store.list(table: table) { key, value in
            #expect(value == b("v") + key.dropFirst())
            seen.insert(key)
            return true
        }
        #expect(seen.count == count)

        var visits = 0
        try store.list(table: table) { _, _ in
            visits += 1
            return visits < 1_500
        }
        #expect(visits == 1_500, "the listing must stop at the first false")
        #expect(try store.get(table: table, key: b("k7")) == b("v7"), "the connection is usable after an early stop")
    }

    @Test("a wrong password fails with the server's address and without any password")
    func wrongPassword() async throws {
        let dsn = try PostgresTestServer.requireDSN()
        let parsed = try ParsedDSN(dsn)
        let wrong = "not-the-password-\(UInt32.random(in: 0 ... .max))"
        let error = await #expect(throws: DatabaseError.self) {
            _ = try await openPostgresPlugin(postgresConfig(dataSource: parsed.conninfo(["password": wrong])))
        }
        let message = error?.message ?? ""
        #expect(error?.code == .unavailable, "\(message)")
        #expect(message.contains("\(parsed.host):\(parsed.port)"), "\(message)")
        #expect(!message.contains(wrong), "\(message)")
        if let password = parsed.password { #expect(!message.contains(password), "\(message)") }
    }

    @Test("a port nobody listens on fails fast with a clear message")
    func unreachableServer() async throws {
        let dsn = try PostgresTestServer.requireDSN()
        let port = try freeLocalPort()
        let dataSource = try ParsedDSN(dsn).conninfo(["host": "127.0.0.1", "hostaddr": nil, "port": "\(port)"])
        let started = ContinuousClock.now
        let error = await #expect(throws: DatabaseError.self) { _ = try await openPostgresPlugin(postgresConfig(dataSource: dataSource)) }
        let elapsed = ContinuousClock.now - started
        let message = error?.message ?? ""
        #expect(error?.code == .unavailable, "\(message)")
        #expect(message.contains("postgresql: connection to 127.0.0.1:\(port) database "), "\(message)")
        // Refused, not left hanging: bounded generously, as the whole suite runs in parallel on
        // two cores (a refused connection itself returns at once).
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test("a server that never answers is given up after connect_timeout (10 s unless the DSN or PGCONNECT_TIMEOUT says)",
          arguments: [nil, 2] as [Int?])
    func silentServer(connectTimeout: Int?) async throws {
        let dsn = try PostgresTestServer.requireDSN()
        let listener = try SilentPostgresListener()
        defer { listener.close() }
        let environmentTimeout = ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"].flatMap { Int($0) }
        let expected = connectTimeout ?? environmentTimeout ?? 10
        let dataSource = try ParsedDSN(dsn).conninfo([
            "host": "127.0.0.1", "hostaddr": nil, "port": "\(listener.port)",
            "connect_timeout": connectTimeout.map { "\($0)" },
        ])
        let started = ContinuousClock.now
        let error = await #expect(throws: DatabaseError.self) { _ = try await openPostgresPlugin(postgresConfig(dataSource: dataSource)) }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .unavailable, "\(error?.message ?? "")")
        #expect(error?.message.contains("127.0.0.1:\(listener.port)") == true, "\(error?.message ?? "")")
        #expect(elapsed >= .seconds(expected) - .milliseconds(500), "gave up after \(elapsed), expected \(expected) s")
        // Bounded, not timed: a loaded machine (the whole suite runs in parallel) adds seconds.
        #expect(elapsed < .seconds(expected * 2 + 10), "gave up after \(elapsed), expected \(expected) s")
    }

    @Test("configuration errors name the JSON path")
    func configurationErrors() async throws {
        let dsn = try PostgresTestServer.requireDSN()
        let cases: [(config: String, path: String)] = [
            (#"{"type":"postgresql"}"#, "db.dataSource"),
            (postgresConfig(dataSource: "host=127.0.0.1 port"), "db.dataSource"),
            (postgresConfig(dataSource: dsn, database: ""), "db.database"),
            (postgresConfig(dataSource: dsn, extra: ["maxConnections": 0]), "db.maxConnections"),
        ]
        for (config, path) in cases {
            let error = await #expect(throws: DatabaseError.self) { _ = try await openPostgresPlugin(config) }
            #expect(error?.code == .invalid, "\(error?.message ?? "")")
            #expect(error?.message.contains(path) == true, "\(error?.message ?? "")")
        }
    }
}
