import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import Host

/// Group commit across the plugin boundary: concurrent updates share transactions, yet each
/// caller gets exactly the outcome its update would have had alone.
@Suite("update coalescing: shared transactions, separate outcomes")
struct UpdateCoalescerTests {
    /// An in-memory database whose transactions take a while and are counted, so that callers
    /// arriving during one must wait and share the next.
    final class SlowStore: Sendable {
        let store = InMemoryStore()
        let transactions = NIOLockedValueBox<[Int]>([])
        /// Transactions in flight now, and the most ever at once.
        let inFlight = NIOLockedValueBox((now: 0, peak: 0))

        func commit(_ operations: [KVOperation]) async throws -> [KVResult] {
            transactions.withLockedValue { $0.append(operations.count) }
            inFlight.withLockedValue { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            defer { inFlight.withLockedValue { $0.now -= 1 } }
            try await Task.sleep(for: .milliseconds(20))
            return try await store.update(operations)
        }

        func coalescer() -> UpdateCoalescer {
            UpdateCoalescer { [self] operations in try await self.commit(operations) }
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("concurrent updates share transactions and each gets its own results")
    func sharesTransactions() async throws {
        let slow = SlowStore()
        try await slow.store.createTable("t")
        let coalescer = slow.coalescer()
        let results = try await withThrowingTaskGroup(of: (Int, [KVResult]).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let key = Self.bytes("k\(index)")
                    return (index, try await coalescer.update([.set(table: "t", key: key, value: Self.bytes("v\(index)")),
                                                               .get(table: "t", key: key)]))
                }
            }
            return try await group.reduce(into: [Int: [KVResult]]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 40)
        for (index, result) in results {
            #expect(result == [.done, .value(Self.bytes("v\(index)"))])
            #expect(try await slow.store.get("t", Self.bytes("k\(index)")) == Self.bytes("v\(index)"))
        }
        let transactions = slow.transactions.withLockedValue { $0 }
        #expect(transactions.count < 40, "40 concurrent updates took \(transactions.count) transactions")
        #expect(transactions.reduce(0, +) == 80)
        #expect(slow.inFlight.withLockedValue { $0.peak } == 2, "transactions in flight at once: not the coalescer's 2")
    }

    @Test("a conflict fails only its own caller, with its own operation index; the others commit")
    func conflictBlamesTheCulprit() async throws {
        let slow = SlowStore()
        try await slow.store.createTable("t")
        try await slow.store.createTable("used")
        let coalescer = slow.coalescer()
        // A first transaction holds the coalescer; meanwhile, in this order, even callers race to
        // spend the same token (each writing its own record first) and odd callers, bystanders,
        // write only their record. They all share the next transaction.
        async let first = coalescer.update([.set(table: "t", key: Self.bytes("first"), value: [0])])
        try await Task.sleep(for: .milliseconds(2))
        var calls: [Task<[KVResult], Error>] = []
        for index in 0..<8 {
            var operations: [KVOperation] = [.set(table: "t", key: Self.bytes("record\(index)"), value: [1])]
            if index.isMultiple(of: 2) {
                operations.append(.compareAndSwap(table: "used", key: Self.bytes("token"), old: [], new: Self.bytes("\(index)"),
                                                  abortOnMismatch: true))
            }
            calls.append(Task { [operations] in try await coalescer.update(operations) })
            try await Task.sleep(for: .milliseconds(1))
        }
        _ = try await first
        var winners: [Int] = []
        for (index, call) in calls.enumerated() {
            do {
                let results = try await call.value
                #expect(try await slow.store.get("t", Self.bytes("record\(index)")) == [1])
                if index.isMultiple(of: 2) {
                    winners.append(index)
                    #expect(results == [.done, .compareAndSwap(swapped: true, current: [])])
                } else {
                    #expect(results == [.done])
                }
            } catch {
                #expect(index.isMultiple(of: 2), "bystander \(index) failed: \(error)")
                let failure = try #require(error as? DatabaseError)
                #expect(failure.code == .conflict)
                #expect(failure.operationIndex == 1)
                #expect(try await slow.store.get("t", Self.bytes("record\(index)")) == nil, "loser \(index)'s record was stored")
            }
        }
        #expect(winners.count == 1)
        if let winner = winners.first {
            #expect(try await slow.store.get("used", Self.bytes("token")) == Self.bytes("\(winner)"))
        }
        let transactions = slow.transactions.withLockedValue { $0 }
        #expect(transactions.contains { $0 > 2 }, "the racing updates never shared a transaction: \(transactions)")
    }

    @Test("any other failure is retried alone, so bystanders commit and the culprit gets its error")
    func otherFailuresAreRetriedAlone() async throws {
        let slow = SlowStore()
        try await slow.store.createTable("t")
        let coalescer = slow.coalescer()
        // Hold the coalescer in a first transaction so that the next ones queue up together.
        async let first = coalescer.update([.set(table: "t", key: Self.bytes("first"), value: [0])])
        try await Task.sleep(for: .milliseconds(5))
        let outcomes = await withTaskGroup(of: (Int, Result<[KVResult], Error>).self) { group in
            for index in 0..<6 {
                group.addTask {
                    // Caller 3 writes into a table that does not exist.
                    let table = index == 3 ? "missing" : "t"
                    do {
                        return (index, .success(try await coalescer.update([.set(table: table, key: Self.bytes("k\(index)"), value: [2])])))
                    } catch { return (index, .failure(error)) }
                }
            }
            return await group.reduce(into: [(Int, Result<[KVResult], Error>)]()) { $0.append($1) }
        }
        _ = try await first
        for (index, outcome) in outcomes {
            if index == 3 {
                guard case .failure(let error) = outcome else { Issue.record("the write into a missing table succeeded"); continue }
                #expect(error is DatabaseError)
            } else {
                guard case .success(let results) = outcome else { Issue.record("bystander \(index) failed"); continue }
                #expect(results == [.done])
                #expect(try await slow.store.get("t", Self.bytes("k\(index)")) == [2])
            }
        }
        let transactions = slow.transactions.withLockedValue { $0 }
        #expect(transactions.contains { $0 > 1 }, "the queued updates never shared a transaction: \(transactions)")
    }
}
