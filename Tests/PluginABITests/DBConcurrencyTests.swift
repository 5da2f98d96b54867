import Testing
@testable import Host

/// Concurrent use of one handle: every plugin here is STEPCA_F_THREADSAFE, so the host calls it
/// from several pool threads at once.
@Suite("DB concurrency", .timeLimit(.minutes(2)))
struct DBConcurrencyTests {
    @Test("16 tasks × 200 mixed operations on distinct keys all land", arguments: DBBackend.all)
    func mixedOperations(backend: DBBackend) async throws {
        let tasks = 16, rounds = 50  // 4 calls per round: 200 calls per task
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for round in 0..<rounds {
                            let key = b("task\(task)/key\(round)")
                            try await db.set("t", key, b("a"))
                            #expect(try await db.get("t", key) == b("a"))
                            #expect(try await db.compareAndSwap("t", key, old: b("a"), new: b("b\(task)")).swapped)
                            let scratch = b("task\(task)/scratch\(round)")
                            let results = try await db.update([
                                .set(table: "t", key: b("task\(task)/extra\(round)"), value: b("x")),
                                .set(table: "t", key: scratch, value: b("temporary")),
                                .delete(table: "t", key: scratch),
                                .get(table: "t", key: key),
                            ])
                            #expect(results.last == .value(b("b\(task)")))
                        }
                    }
                }
                try await group.waitForAll()
            }
            var expected: [[UInt8]: [UInt8]] = [:]
            for task in 0..<tasks {
                for round in 0..<rounds {
                    expected[b("task\(task)/key\(round)")] = b("b\(task)")
                    expected[b("task\(task)/extra\(round)")] = b("x")
                }
            }
            let listing = try await db.list("t")
            #expect(listing.count == expected.count)
            #expect(entries(listing) == expected)
        }
    }

    @Test("concurrent updates, every third one failing at its last operation: failures leave nothing, the rest land",
          arguments: DBBackend.all)
    func failingUpdatesAmongOthers(backend: DBBackend) async throws {
        let tasks = 12, rounds = 15
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for round in 0..<rounds {
                            let fails = (task + round) % 3 == 0
                            var operations: [KVOperation] = [
                                .set(table: "t", key: b("\(task)/\(round)/a"), value: b("a")),
                                .set(table: "t", key: b("\(task)/\(round)/b"), value: b("b")),
                            ]
                            operations.append(.set(table: fails ? "missing" : "t", key: b("\(task)/\(round)/c"), value: b("c")))
                            if fails {
                                let error = await #expect(throws: DatabaseError.self) { _ = try await db.update(operations) }
                                #expect(error?.code == .notFound)
                                #expect(error?.operationIndex == 2)
                            } else {
                                _ = try await db.update(operations)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            var expected: [[UInt8]: [UInt8]] = [:]
            for task in 0..<tasks {
                for round in 0..<rounds where (task + round) % 3 != 0 {
                    for part in ["a", "b", "c"] { expected[b("\(task)/\(round)/\(part)")] = b(part) }
                }
            }
            #expect(entries(try await db.list("t")) == expected)
        }
    }

    @Test("32 tasks incrementing one counter with compare-and-swap lose no increment", arguments: DBBackend.all)
    func compareAndSwapRace(backend: DBBackend) async throws {
        let tasks = 32, increments = 10
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("counters")
            let attempts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var attempts = 0
                        var known: [UInt8] = []  // absent counts as zero
                        for _ in 0..<increments {
                            while true {
                                attempts += 1
                                let value = Int(String(decoding: known, as: UTF8.self)) ?? 0
                                let result = try await db.compareAndSwap("counters", b("n"), old: known, new: b(String(value + 1)))
                                if result.swapped {
                                    known = b(String(value + 1))
                                    break
                                }
                                known = result.current
                            }
                        }
                        return attempts
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(try await db.get("counters", b("n")) == b(String(tasks * increments)))
            #expect(attempts >= tasks * increments)
        }
    }

    @Test("listing while other tasks write returns consistent entries", arguments: DBBackend.all)
    func listDuringWrites(backend: DBBackend) async throws {
        let keys = (0..<40).map { b("k\($0)") }
        try await backend.withStore { opened in
            let db = opened.store
            try await db.createTable("t")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for round in 0..<40 {
                            let key = keys[(round * 7 + writer) % keys.count]
                            if round % 3 == 2 {
                                try await db.delete("t", key)
                            } else {
                                try await db.set("t", key, key + b("=\(writer).\(round)"))
                            }
                        }
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<25 {
                            let listing = try await db.list("t")
                            #expect(listing.count <= keys.count)
                            #expect(Set(listing.map(\.key)).count == listing.count, "a key listed twice")
                            for entry in listing {
                                #expect(keys.contains(entry.key))
                                #expect(entry.value.starts(with: entry.key + b("=")), "value \(entry.value) under \(entry.key)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
