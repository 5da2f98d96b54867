import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import Host

/// Group commit across the plugin boundary: concurrent updates share transactions, yet each
/// caller gets exactly the outcome its update would have had alone.
@Suite("update coalescing: shared transactions, separate outcomes")
struct UpdateCoalescerTests {
    /// Holds transactions until the test opens it, so that callers queue up meanwhile.
    final class Gate: Sendable {
        private let state = NIOLockedValueBox((open: false, waiters: [CheckedContinuation<Void, Never>]()))

        func pass() async {
            await withCheckedContinuation { continuation in
                let open = state.withLockedValue { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLockedValue { state in
                state.open = true
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0.resume() }
        }
    }

    /// An in-memory database whose transactions wait at a gate and are counted.
    final class GatedStore: Sendable {
        let store = InMemoryStore()
        let gate = Gate()
        let transactions = NIOLockedValueBox<[Int]>([])
        /// Transactions in flight now, and the most ever at once.
        let inFlight = NIOLockedValueBox((now: 0, peak: 0))

        func commit(_ operations: [KVOperation]) async throws -> [KVResult] {
            transactions.withLockedValue { $0.append(operations.count) }
            inFlight.withLockedValue { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            defer { inFlight.withLockedValue { $0.now -= 1 } }
            await gate.pass()
            return try await store.update(operations)
        }

        func coalescer(maximumConcurrent: Int = 2) -> UpdateCoalescer {
            UpdateCoalescer(maximumConcurrent: maximumConcurrent) { [self] operations in try await self.commit(operations) }
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Waits until `condition` holds, polling every millisecond; other tasks run meanwhile.
    /// Bounded by a number of polls rather than by the clock: when other tests block the
    /// concurrency pool's threads for a while, this task and the ones it waits for are held up
    /// alike, and no poll is spent without them having had their turn.
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<20_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        if !condition() { throw TestTimeout(what: what) }
    }

    struct TestTimeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting until \(what)" }
    }

    @Test("concurrent updates share transactions, at most two in flight, and each gets its own results")
    func sharesTransactions() async throws {
        let gated = GatedStore()
        try await gated.store.createTable("t")
        let coalescer = gated.coalescer()
        func call(_ index: Int) -> Task<[KVResult], Error> {
            Task {
                let key = Self.bytes("k\(index)")
                return try await coalescer.update([.set(table: "t", key: key, value: Self.bytes("v\(index)")),
                                                   .get(table: "t", key: key)])
            }
        }
        // Two updates occupy both transactions; the next 38 wait for them.
        var calls = [call(0)]
        try await Self.eventually("one transaction is in flight") { gated.inFlight.withLockedValue { $0.now } == 1 }
        calls.append(call(1))
        try await Self.eventually("two transactions are in flight") { gated.inFlight.withLockedValue { $0.now } == 2 }
        calls += (2..<40).map(call)
        try await Self.eventually("38 updates wait") { coalescer.waiting == 38 }
        gated.gate.open()
        for (index, call) in calls.enumerated() {
            #expect(try await call.value == [.done, .value(Self.bytes("v\(index)"))])
            #expect(try await gated.store.get("t", Self.bytes("k\(index)")) == Self.bytes("v\(index)"))
        }
        let transactions = gated.transactions.withLockedValue { $0 }
        // One update each in the first two; the 38 that waited in batches of at most 32.
        #expect(transactions.sorted() == [2, 2, 12, 64], "\(transactions)")
        #expect(gated.inFlight.withLockedValue { $0.peak } == 2)
    }

    /// Starts the updates one after another, each queued before the next starts, behind a first
    /// transaction held at the gate; returns their tasks once all wait.
    static func queueInOrder(_ updates: [[KVOperation]], on coalescer: UpdateCoalescer,
                             _ gated: GatedStore) async throws -> [Task<[KVResult], Error>] {
        let first = Task { try await coalescer.update([.set(table: "t", key: Self.bytes("first"), value: [0])]) }
        try await eventually("the first transaction is in flight") { gated.inFlight.withLockedValue { $0.now } == 1 }
        var calls: [Task<[KVResult], Error>] = []
        for operations in updates {
            let queued = coalescer.waiting
            calls.append(Task { try await coalescer.update(operations) })
            try await eventually("update \(calls.count) is queued") { coalescer.waiting == queued + 1 }
        }
        gated.gate.open()
        _ = try await first.value
        return calls
    }

    @Test("a conflict fails only its own caller, with its own operation index; the others commit")
    func conflictBlamesTheCulprit() async throws {
        let gated = GatedStore()
        try await gated.store.createTable("t")
        try await gated.store.createTable("used")
        let coalescer = gated.coalescer(maximumConcurrent: 1)
        // In this order, even callers race to spend the same token (each writing its own record
        // first) and odd callers, bystanders, write only their record: one shared transaction.
        let updates: [[KVOperation]] = (0..<8).map { index in
            var operations: [KVOperation] = [.set(table: "t", key: Self.bytes("record\(index)"), value: [1])]
            if index.isMultiple(of: 2) {
                operations.append(.compareAndSwap(table: "used", key: Self.bytes("token"), old: [], new: Self.bytes("\(index)"),
                                                  abortOnMismatch: true))
            }
            return operations
        }
        let calls = try await Self.queueInOrder(updates, on: coalescer, gated)
        var winners: [Int] = []
        for (index, call) in calls.enumerated() {
            do {
                let results = try await call.value
                #expect(try await gated.store.get("t", Self.bytes("record\(index)")) == [1])
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
                #expect(try await gated.store.get("t", Self.bytes("record\(index)")) == nil, "loser \(index)'s record was stored")
            }
        }
        #expect(winners == [0], "the first in the batch should win the race")
        #expect(try await gated.store.get("used", Self.bytes("token")) == Self.bytes("0"))
        let transactions = gated.transactions.withLockedValue { $0 }
        #expect(transactions.dropFirst().first == 12, "the eight updates did not share one transaction: \(transactions)")
    }

    @Test("any other failure is retried alone, so bystanders commit and the culprit gets its error")
    func otherFailuresAreRetriedAlone() async throws {
        let gated = GatedStore()
        try await gated.store.createTable("t")
        let coalescer = gated.coalescer(maximumConcurrent: 1)
        // Caller 3 writes into a table that does not exist.
        let updates: [[KVOperation]] = (0..<6).map { index in
            [.set(table: index == 3 ? "missing" : "t", key: Self.bytes("k\(index)"), value: [2])]
        }
        let calls = try await Self.queueInOrder(updates, on: coalescer, gated)
        for (index, call) in calls.enumerated() {
            if index == 3 {
                await #expect(throws: DatabaseError.self) { try await call.value }
            } else {
                #expect(try await call.value == [.done], "bystander \(index)")
                #expect(try await gated.store.get("t", Self.bytes("k\(index)")) == [2])
            }
        }
        let transactions = gated.transactions.withLockedValue { $0 }
        #expect(transactions == [1, 6, 1, 1, 1, 1, 1, 1], "first, the shared attempt, then each alone: \(transactions)")
    }
}
