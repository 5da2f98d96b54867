import NIOConcurrencyHelpers
import Foundation

/// The store used when ca.json has no `db`: everything lives in memory and is lost on exit,
/// as with step-ca's in-memory fallback.
final class InMemoryStore: KeyValueStore, @unchecked Sendable {
    private let lock = NIOLock()
    private var tables: [String: [[UInt8]: [UInt8]]] = [:]

    let name = "in-memory store"
    let isPersistent = false

    func createTable(_ table: String) async throws {
        lock.withLock { if tables[table] == nil { tables[table] = [:] } }
    }

    func deleteTable(_ table: String) async throws {
        try lock.withLock {
            guard tables.removeValue(forKey: table) != nil else { throw missing(table) }
        }
    }

    func get(_ table: String, _ key: [UInt8]) async throws -> [UInt8]? {
        try Self.checkKey(key)
        return lock.withLock {
            tables[table]?[key]
        }
    }

    func set(_ table: String, _ key: [UInt8], _ value: [UInt8]) async throws {
        try Self.checkKey(key)
        try lock.withLock {
            guard tables[table] != nil else { throw missing(table) }
            tables[table]![key] = value
        }
    }

    func delete(_ table: String, _ key: [UInt8]) async throws {
        try Self.checkKey(key)
        try lock.withLock {
            guard tables[table] != nil else { throw missing(table) }
            tables[table]![key] = nil
        }
    }

    func list(_ table: String) async throws -> [(key: [UInt8], value: [UInt8])] {
        try lock.withLock {
            guard let entries = tables[table] else { throw missing(table) }
            return entries.map { (key: $0.key, value: $0.value) }
        }
    }

    /// Iterates a snapshot of the table taken under the lock (copy-on-write, so taking it copies
    /// nothing), so `visit` runs without the lock and other calls proceed meanwhile.
    func forEach(_ table: String, _ visit: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) async throws {
        let snapshot = try lock.withLock {
            guard let entries = tables[table] else { throw missing(table) }
            return entries
        }
        // A visitor may block (the export's bounded queue waits for its consumer): run it on a
        // thread of its own, as plugin listings run on the plugin threads, never on the
        // cooperative pool, where a blocked visitor could starve the task that would unblock it.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            Thread {
                continuation.resume(with: Result {
                    for (key, value) in snapshot {
                        guard try visit(key, value) else { return }
                    }
                })
            }.start()
        }
    }

    var servesCallsDuringListing: Bool { true }

    func compareAndSwap(_ table: String, _ key: [UInt8], old: [UInt8], new: [UInt8]) async throws -> SwapResult {
        try Self.checkKey(key)
        return try lock.withLock { try swapLocked(table, key, old, new) }
    }

    func update(_ operations: [KVOperation]) async throws -> [KVResult] {
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .get(_, let key), .set(_, let key, _), .delete(_, let key), .compareAndSwap(_, let key, _, _, _):
                do { try Self.checkKey(key) } catch var error as DatabaseError {
                    error.operationIndex = index
                    throw error
                }
            case .createTable, .deleteTable:
                break
            }
        }
        return try lock.withLock {
            // An undo log rather than a snapshot of `tables`: a snapshot would make the next
            // write copy a whole table.
            var undo: [UndoStep] = []
            var results: [KVResult] = []
            for (index, operation) in operations.enumerated() {
                do {
                    undo.append(undoStep(for: operation))
                    results.append(try applyLocked(operation))
                } catch var error as DatabaseError {
                    for step in undo.reversed() { revertLocked(step) }
                    error.operationIndex = index
                    throw error
                }
            }
            return results
        }
    }

    /// What restores the state one operation may change.
    private enum UndoStep {
        case none
        case table(String, [[UInt8]: [UInt8]]?)
        case entry(String, [UInt8], [UInt8]?)
    }

    private func undoStep(for operation: KVOperation) -> UndoStep {
        switch operation {
        case .createTable(let table), .deleteTable(let table): return .table(table, tables[table])
        case .get: return .none
        case .set(let table, let key, _), .delete(let table, let key), .compareAndSwap(let table, let key, _, _, _):
            return .entry(table, key, tables[table]?[key])
        }
    }

    private func revertLocked(_ step: UndoStep) {
        switch step {
        case .none: break
        case .table(let table, let entries): tables[table] = entries
        case .entry(let table, let key, let value): if tables[table] != nil { tables[table]![key] = value }
        }
    }

    func close() async {}

    private func applyLocked(_ operation: KVOperation) throws -> KVResult {
        switch operation {
        case .createTable(let table):
            if tables[table] == nil { tables[table] = [:] }
        case .deleteTable(let table):
            guard tables.removeValue(forKey: table) != nil else { throw missing(table) }
        case .get(let table, let key):
            guard let entries = tables[table] else { throw missing(table) }
            guard let value = entries[key] else {
                throw DatabaseError(code: .notFound, message: "\(table): key not found")
            }
            return .value(value)
        case .set(let table, let key, let value):
            guard tables[table] != nil else { throw missing(table) }
            tables[table]![key] = value
        case .delete(let table, let key):
            guard tables[table] != nil else { throw missing(table) }
            tables[table]![key] = nil
        case .compareAndSwap(let table, let key, let old, let new, let abortOnMismatch):
            let result = try swapLocked(table, key, old, new)
            if !result.swapped && abortOnMismatch {
                throw DatabaseError(code: .conflict, message: "\(table): compare-and-swap found another value")
            }
            return .compareAndSwap(swapped: result.swapped, current: result.current)
        }
        return .done
    }

    private func swapLocked(_ table: String, _ key: [UInt8], _ old: [UInt8], _ new: [UInt8]) throws -> SwapResult {
        guard let entries = tables[table] else { throw missing(table) }
        let current = entries[key] ?? []
        guard current == old else { return SwapResult(swapped: false, current: current) }
        tables[table]![key] = new
        return SwapResult(swapped: true, current: [])
    }

    /// Keys are limited to 255 bytes, as in step-ca's SQL schemas and every DB plugin.
    private static func checkKey(_ key: [UInt8]) throws {
        guard key.count <= 255 else {
            throw DatabaseError(code: .invalid, message: "key is \(key.count) bytes; keys are limited to 255 bytes")
        }
    }

    private func missing(_ table: String) -> DatabaseError {
        DatabaseError(code: .notFound, message: "table \(table) does not exist")
    }
}
