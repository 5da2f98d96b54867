import PluginKit

/// An `update`: the operations in order inside one transaction on one connection, committed
/// together or rolled back together.
///
/// Isolation: READ COMMITTED, stated explicitly so a server default of SERIALIZABLE does not
/// change behaviour. That is enough because every operation is a single statement that is
/// atomic on its own: the reads see committed data; upserts and deletes take row locks;
/// compare-and-swap compares and writes in one conditional statement evaluated on the newest
/// committed row version under its row lock (see ``TableOperations/compareAndSwap(key:old:new:)``).
/// So each CAS in an update is exactly as race-free as a CAS alone, and the locks taken by the
/// writes are held until COMMIT, so no other session can change a row this update wrote before
/// the update is durable. A deadlock or serialization failure rolls the transaction back
/// entirely, so the store runs it again (``PostgresStore/update(_:)``); so does a
/// `CREATE TABLE IF NOT EXISTS` that lost a race with another session (its error aborts the
/// transaction).
struct UpdateTransaction {
    let operations: [DatabaseOperation]
    let connection: PGConnection

    /// The transaction was rolled back for a reason that may not recur: run it again.
    struct Retry: Error {}

    /// Runs the transaction. Throws ``DatabaseUpdateError`` naming the failed operation after a
    /// rollback, ``Retry`` when `mayRetry` and the failure was transient, or a `PluginError`
    /// when BEGIN or COMMIT failed.
    func run(mayRetry: Bool) throws -> [DatabaseOperationResult] {
        do {
            try connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        } catch let failure as PGFailure {
            throw failure.pluginError()
        }
        var results: [DatabaseOperationResult] = []
        results.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            do {
                results.append(try apply(operation))
            } catch {
                connection.rollbackQuietly()
                if mayRetry && Self.isTransient(error) { throw Retry() }
                throw DatabaseUpdateError(index: index, error: Self.pluginError(error))
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch let failure as PGFailure {
            if failure.connectionLost {
                throw PluginError.unavailable("postgresql: connection lost while committing, so whether the update was applied is unknown: \(failure.message)")
            }
            connection.rollbackQuietly()
            if mayRetry && failure.isTransientConflict { throw Retry() }
            throw failure.pluginError()
        }
        return results
    }

    private func apply(_ operation: DatabaseOperation) throws -> DatabaseOperationResult {
        switch operation {
        case .createTable(let table):
            try TableOperations(table: TableName(table), connection: connection).createTable(inTransaction: true)
        case .deleteTable(let table):
            try TableOperations(table: TableName(table), connection: connection).dropTable()
        case .get(let table, let key):
            let name = try TableName(table)
            guard let value = try TableOperations(table: name, connection: connection).read(key) else {
                throw PluginError.notFound("\(name.text)/\(printable(key)) not found")
            }
            return .value(value)
        case .set(let table, let key, let value):
            try TableOperations(table: TableName(table), connection: connection).upsert(key, value)
        case .delete(let table, let key):
            try TableOperations(table: TableName(table), connection: connection).remove(key)
        case .compareAndSwap(let table, let key, let old, let new, let abortOnMismatch):
            let name = try TableName(table)
            let result = try TableOperations(table: name, connection: connection).compareAndSwap(key: key, old: old, new: new)
            if !result.swapped && abortOnMismatch {
                throw PluginError.conflict("compare-and-swap on \(name.text)/\(printable(key)) found another value")
            }
            return .compareAndSwap(swapped: result.swapped, current: result.current)
        }
        return .done
    }

    private static func isTransient(_ error: Error) -> Bool {
        if error is ConcurrentTableCreation { return true }
        if let failure = error as? PGFailure { return failure.isTransientConflict }
        return false
    }

    private static func pluginError(_ error: Error) -> PluginError {
        switch error {
        case let error as PluginError:
            return error
        case let failure as PGFailure where failure.connectionLost:
            return .unavailable("postgresql: connection lost: \(failure.message) (the update was rolled back)")
        case let failure as PGFailure:
            return failure.pluginError()
        case let race as ConcurrentTableCreation:
            return race.failure.pluginError()
        default:
            return .internal("postgresql: \(error)")
        }
    }
}
