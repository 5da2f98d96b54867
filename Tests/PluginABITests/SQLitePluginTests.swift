import Foundation
import Testing
@testable import Host

/// What only the SQLite plugin promises: data on disk, clear errors for damaged files and
/// bounded waits for locks held by other connections or processes.
@Suite("SQLite plugin")
struct SQLitePluginTests {
    let backend = DBBackend.sqlite

    @Test("data survives closing and reopening the database")
    func durability() async throws {
        try await withScratchDirectory("stepca-sqlite") { scratch in
            let big = randomBytes(1 << 20)
            let first = try backend.open(in: scratch)
            try await first.store.createTable("x509_certs")
            try await first.store.createTable("dropped")
            try await first.store.set("x509_certs", b("serial-1"), b("cert one"))
            try await first.store.set("x509_certs", [0, 1, 2, 0], big)
            #expect(try await first.store.compareAndSwap("x509_certs", b("serial-2"), old: [], new: b("cert two")).swapped)
            _ = try await first.store.update([.set(table: "x509_certs", key: b("serial-3"), value: b("cert three")),
                                              .deleteTable("dropped")])
            await first.store.close()

            let second = try backend.open(in: scratch)
            #expect(entries(try await second.store.list("x509_certs")) == [
                b("serial-1"): b("cert one"),
                [0, 1, 2, 0]: big,
                b("serial-2"): b("cert two"),
                b("serial-3"): b("cert three"),
            ])
            await expectDatabaseError(.notFound, from: second) { try await second.store.deleteTable("dropped") }
            await second.store.close()
        }
    }

    @Test("table names: SQLite's own sqlite_ prefix is refused in any case; quotes and near misses are ordinary names")
    func tableNames() async throws {
        try await backend.withStore { opened in
            for reserved in ["sqlite_master", "SQLITE_x", "Sqlite_Schema", "sqlite_"] {
                await expectDatabaseError(.invalid, from: opened) { try await opened.store.createTable(reserved) }
            }
            for name in ["sqlite", "sqlitex_1", "my\"table", "\"", "sqlite-x"] {
                try await opened.store.createTable(name)
                try await opened.store.set(name, b("key"), b("value of \(name)"))
                #expect(try await opened.store.get(name, b("key")) == b("value of \(name)"))
            }
        }
    }

    /// Ways to damage a database file.
    enum Damage: String, Sendable, CaseIterable {
        /// Random bytes where the database should be.
        case wholeFile
        /// A valid header followed by random bytes over the schema page.
        case afterHeader
    }

    @Test("a damaged file fails to open with a message saying it is corrupt or not a database", arguments: Damage.allCases)
    func corruptFile(damage: Damage) async throws {
        try await withScratchDirectory("stepca-sqlite") { scratch in
            let path = scratch.file("t.db")
            switch damage {
            case .wholeFile:
                try Data(randomBytes(64 * 1024)).write(to: URL(fileURLWithPath: path))
            case .afterHeader:
                let opened = try backend.open(in: scratch)
                try await opened.store.createTable("t")
                for index in 0..<50 { try await opened.store.set("t", b("k\(index)"), randomBytes(200)) }
                await opened.store.close()
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                try #require(bytes.count >= 4096)
                bytes.replaceSubrange(100..<4096, with: randomBytes(3996))
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            let error = #expect(throws: DatabaseError.self) { _ = try backend.open(in: scratch) }
            let message = error?.message ?? ""
            #expect(message.hasPrefix("sqlite plugin: open: "), "\(message)")
            #expect(message.contains(path), "the message names the file: \(message)")
            #expect(message.contains("corrupt") || message.contains("not a database"), "\(message)")
        }
    }

    @Test("a database locked by another connection gives 'unavailable' after the busy timeout", .timeLimit(.minutes(1)))
    func lockedDatabase() async throws {
        try await withScratchDirectory("stepca-sqlite") { scratch in
            let path = scratch.file("t.db")
            let config = #"{"type":"sqlite","dataSource":"\#(path)","busyTimeoutMilliseconds":200}"#
            let plugin = try PluginLoader(directories: [backend.pluginDirectory()]).load(kind: .database, type: "sqlite")
            let db = try PluginDatabase(plugin: plugin, configJSON: config, description: path)
            let opened = OpenedStore(store: db, pluginName: plugin.name)
            try await db.createTable("t")
            try await db.set("t", b("k"), b("before"))

            let other = try RawSQLiteConnection(path: path)
            try other.execute("BEGIN EXCLUSIVE; INSERT INTO \"t\" (nkey, nvalue) VALUES (x'6f74686572', x'6f74686572');")
            let started = ContinuousClock.now
            let error = await expectDatabaseError(.unavailable, from: opened) { try await db.set("t", b("k"), b("during")) }
            let waited = ContinuousClock.now - started
            #expect(error?.message.contains("locked") == true, "\(error?.message ?? "")")
            #expect(waited >= .milliseconds(150), "gave up after \(waited), before the busy timeout")
            #expect(waited < .seconds(10), "waited \(waited) for a 200 ms busy timeout")
            await expectDatabaseError(.unavailable, from: opened) {
                _ = try await db.update([.set(table: "t", key: b("u"), value: b("during"))])
            }
            #expect(try await db.get("t", b("k")) == b("before"), "WAL readers are not blocked by the writer")

            try other.execute("ROLLBACK;")
            try await db.set("t", b("k"), b("after"))
            #expect(try await db.get("t", b("k")) == b("after"))
            #expect(try await db.get("t", b("other")) == nil)
            other.close()
            await db.close()
        }
    }
}

/// A second SQLite connection opened directly through the system libsqlite3 (the same library
/// the plugin links), used to hold locks the plugin must wait for.
final class RawSQLiteConnection {
    private typealias OpenFunction = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
    private typealias ExecFunction = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafeRawPointer?,
                                                     UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    private typealias CloseFunction = @convention(c) (OpaquePointer?) -> Int32
    private typealias FreeFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void

    private let exec: ExecFunction
    private let closeConnection: CloseFunction
    private let free: FreeFunction
    private var db: OpaquePointer?

    init(path: String) throws {
        guard let library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libsqlite3.so", RTLD_NOW | RTLD_LOCAL) else {
            throw TestSetupError("cannot load libsqlite3: \(String(cString: dlerror()))")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(library, name) else { throw TestSetupError("libsqlite3 lacks \(name)") }
            return unsafeBitCast(pointer, to: type)
        }
        let open = try symbol("sqlite3_open", as: OpenFunction.self)
        exec = try symbol("sqlite3_exec", as: ExecFunction.self)
        closeConnection = try symbol("sqlite3_close", as: CloseFunction.self)
        free = try symbol("sqlite3_free", as: FreeFunction.self)
        guard open(path, &db) == 0 else { throw TestSetupError("sqlite3_open(\(path)) failed") }
    }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = exec(db, sql, nil, nil, &message)
        defer { free(message) }
        guard status == 0 else {
            throw TestSetupError("sqlite3_exec(\(sql)) failed with \(status): \(message.map { String(cString: $0) } ?? "")")
        }
    }

    func close() {
        _ = closeConnection(db)
        db = nil
    }

    deinit { if db != nil { close() } }
}
