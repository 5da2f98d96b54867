import Testing
@testable import Host

/// The `update` slot: every operation in one transaction, results per operation, and an
/// all-or-nothing rollback that names the failing operation.
@Suite("DB update")
struct DBUpdateTests {
    @Test("an update of mixed operations commits with GET and CAS results", arguments: DBBackend.all)
    func commit(backend: DBBackend) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await db.set("t", b("k0"), b("v0"))
            try await db.set("t", b("k2"), b("current"))
            try await db.set("t", b("k3"), b("gone soon"))

            let results = try await db.update([
                .createTable("t2"),
                .set(table: "t2", key: b("a"), value: b("1")),
                .get(table: "t", key: b("k0")),
                .compareAndSwap(table: "t", key: b("k0"), old: b("v0"), new: b("v0b"), abortOnMismatch: true),
                .compareAndSwap(table: "t", key: b("k2"), old: b("stale"), new: b("x"), abortOnMismatch: false),
                .delete(table: "t", key: b("k3")),
                .get(table: "t2", key: b("a")),
                .compareAndSwap(table: "t", key: b("fresh"), old: [], new: b("n"), abortOnMismatch: false),
                .set(table: "t", key: b("empty"), value: []),
                .get(table: "t", key: b("empty")),
                .get(table: "t", key: b("k0")),
            ])
            #expect(results == [
                .done,
                .done,
                .value(b("v0")),
                .compareAndSwap(swapped: true, current: []),
                .compareAndSwap(swapped: false, current: b("current")),
                .done,
                .value(b("1")),
                .compareAndSwap(swapped: true, current: []),
                .done,
                .value([]),
                .value(b("v0b")),
            ])
            #expect(try await db.get("t", b("k0")) == b("v0b"))
            #expect(try await db.get("t", b("k2")) == b("current"))
            #expect(try await db.get("t", b("k3")) == nil)
            #expect(try await db.get("t", b("fresh")) == b("n"))
            #expect(entries(try await db.list("t2")) == [b("a"): b("1")])
            #expect(try await db.update([]) == [])
        }
    }

    /// An operation that fails in the middle of an update.
    struct FailingOperation: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let operation: KVOperation
        let code: DatabaseError.Code
        /// The host's reference store does not check this (a known difference).

        static let all: [FailingOperation] = [
            .init(testDescription: "GET of a missing key", operation: .get(table: "t", key: b("absent")), code: .notFound),
            .init(testDescription: "SET into a missing table", operation: .set(table: "nope", key: b("k"), value: b("v")), code: .notFound),
            .init(testDescription: "DELETE_TABLE of a missing table", operation: .deleteTable("nope"), code: .notFound),
            .init(testDescription: "CAS mismatch with abortOnMismatch",
                  operation: .compareAndSwap(table: "t", key: b("k1"), old: b("v1"), new: b("x"), abortOnMismatch: true),
                  code: .conflict),
            .init(testDescription: "SET of a 256-byte key",
                  operation: .set(table: "t", key: [UInt8](repeating: 1, count: 256), value: b("v")),
                  code: .invalid),
        ]
    }

    @Test("a failing operation rolls back the whole update and is named by its index",
          arguments: DBBackend.all, FailingOperation.all)
    func rollback(backend: DBBackend, failing: FailingOperation) async throws {
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await db.createTable("t2")
            try await db.set("t", b("k0"), b("v0"))
            try await db.set("t", b("k1"), b("v1"))
            try await db.set("t2", b("x"), b("kept"))

            let error = await expectDatabaseError(failing.code, from: opened) {
                _ = try await db.update([
                    .set(table: "t", key: b("k1"), value: b("changed")),
                    .createTable("t_new"),
                    .delete(table: "t", key: b("k0")),
                    .deleteTable("t2"),
                    failing.operation,
                    .set(table: "t", key: b("k2"), value: b("never")),
                ])
            }
            #expect(error?.operationIndex == 4)
            if opened.pluginName != nil {
                #expect(error?.message.contains("operation 4") == true, "\(error?.message ?? "")")
            }

            #expect(entries(try await db.list("t")) == [b("k0"): b("v0"), b("k1"): b("v1")])
            #expect(entries(try await db.list("t2")) == [b("x"): b("kept")], "a table deleted in a rolled-back update comes back")
            await expectDatabaseError(.notFound, from: opened) { _ = try await db.list("t_new") }

            // The store is still usable after the rollback.
            try await db.set("t", b("after"), b("ok"))
            #expect(try await db.get("t", b("after")) == b("ok"))
        }
    }
}
