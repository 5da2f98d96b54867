import Foundation
import Testing
@testable import Host

/// The plugin against a private PostgreSQL server that the test stops and starts: calls fail
/// fast with `.unavailable` while the server is away and succeed again, on the same open handle,
/// once it is back.
@Suite("PostgreSQL plugin reconnects", .enabled(if: PostgresTestServer.enabled, "PG_DSN is not set"), .timeLimit(.minutes(3)))
struct PostgresReconnectTests {
    /// The longest a call may take to report that the server is gone: well under the DSN's 20 s
    /// connect timeout (a refused connection fails at once), with room for a loaded machine.
    static let failFast: Duration = .seconds(15)

    @Test("while the server is down calls fail fast with 'unavailable'; after it is back they succeed without reopening")
    func serverRestart() async throws {
        try await withPrivatePostgres { server in
            let opened = try await openPostgresPlugin(postgresConfig(dataSource: server.dsn, database: "reconnect"))
            let db = opened.store
            do {
                try await db.createTable("t")
                try await db.set("t", b("k"), b("before"))
                try await useManyConnections(db)

                try await server.stop()
                let calls: [(String, @Sendable () async throws -> Void)] = [
                    ("get", { _ = try await db.get("t", b("k")) }),
                    ("set", { try await db.set("t", b("k"), b("during")) }),
                    ("compare-and-swap", { _ = try await db.compareAndSwap("t", b("k"), old: b("before"), new: b("during")) }),
                    ("update", { _ = try await db.update([.set(table: "t", key: b("u"), value: b("during"))]) }),
                    ("list", { _ = try await db.list("t") }),
                    ("create_table", { try await db.createTable("t2") }),
                ]
                for (name, call) in calls {
                    let started = ContinuousClock.now
                    let error = await expectDatabaseError(.unavailable, from: opened) { try await call() }
                    let elapsed = ContinuousClock.now - started
                    #expect(elapsed < Self.failFast, "\(name) took \(elapsed) to fail; sockets on the port now: \(server.socketsOnPort())")
                    #expect(error?.message.contains("postgresql: ") == true, "\(name): \(error?.message ?? "")")
                    #expect(error?.message.contains("stepca-pw") == false, "\(name): \(error?.message ?? "")")
                }

                try await server.start()
                #expect(try await db.get("t", b("k")) == b("before"))
                try await db.set("t", b("k"), b("after"))
                #expect(try await db.compareAndSwap("t", b("k"), old: b("after"), new: b("swapped")).swapped)
                #expect(try await db.update([.get(table: "t", key: b("k"))]) == [.value(b("swapped"))])

                // A restart while every pooled connection sits idle: the dead connections are
                // noticed before anything is sent, so even calls that are never retried succeed.
                try await useManyConnections(db)
                try await server.stop()
                try await server.start()
                #expect(try await db.compareAndSwap("t", b("k"), old: b("swapped"), new: b("after restart")).swapped)
                #expect(try await db.update([.set(table: "t", key: b("u"), value: b("x")), .get(table: "t", key: b("k"))])
                        == [.done, .value(b("after restart"))])
                #expect(entries(try await db.list("t")) == [b("k"): b("after restart"), b("u"): b("x")])
                await db.close()
            } catch {
                await db.close()
                throw error
            }
        }
    }

    /// Runs enough concurrent calls that the pool holds several connections.
    private func useManyConnections(_ db: any KeyValueStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { _ = try await db.get("t", b("k")) } }
            try await group.waitForAll()
        }
    }
}

/// A PostgreSQL server of the test's own, started with `scripts/services/postgres.sh` in a scratch
/// directory on a free port.
struct PrivatePostgres: Sendable {
    let directory: String
    let port: Int

    var dsn: String { "postgresql://stepca:stepca-pw@127.0.0.1:\(port)/stepca?sslmode=disable&connect_timeout=20" }

    /// `ss`'s view of every TCP socket on the server's port, with its process: for the message of
    /// a call that did not fail fast (which would mean something answered on a stopped server's port).
    func socketsOnPort() -> String {
        (try? run("/usr/bin/env", ["ss", "-tanp", "( sport = :\(port) or dport = :\(port) )"]).output) ?? "(ss failed)"
    }

    /// Starts the server (bounded by the script's own waits), off the test's async threads.
    func start() async throws { try await PostgresTestServer.onOwnThread { try script("start") } }
    func stop() async throws { try await PostgresTestServer.onOwnThread { try script("stop") } }
    /// Stops the server from synchronous cleanup code.
    func stopNow() throws { try script("stop") }

    private func script(_ action: String) throws {
        let path = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/postgres.sh").path
        let output = try run("/usr/bin/env", [
            "INFRA_DIR=\(directory)", "PG_PORT=\(port)", "PG_USER=stepca", "PG_PASS=stepca-pw", "PG_DB=stepca",
            "WAIT_S=20", "bash", path, action,
        ])
        guard output.status == 0 else {
            throw TestSetupError("postgres.sh \(action) (port \(port)) failed with status \(output.status): \(output.output)")
        }
    }
}

/// Runs `body` with a private server and always stops it and removes its files afterwards.
func withPrivatePostgres<T>(_ body: (PrivatePostgres) async throws -> T) async throws -> T {
    let scratch = try ScratchDirectory("stepca-pg-private")
    let server = PrivatePostgres(directory: scratch.path, port: try freeLocalPort())
    defer {
        try? server.stopNow()
        scratch.remove()
    }
    try await server.start()
    return try await body(server)
}
