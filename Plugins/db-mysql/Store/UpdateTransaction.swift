import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// One `update`: every operation, in order, inside `START TRANSACTION` … `COMMIT` on one
/// connection, and `ROLLBACK` on any failure (a failed statement does not end a MySQL
/// transaction by itself). A deadlock or lock wait timeout re-runs the whole transaction.
///
/// MySQL commits implicitly before `CREATE TABLE` and `DROP TABLE`, so table operations are
/// arranged to keep the update all-or-nothing:
/// - a table the update creates and that does not exist yet is created before the transaction
///   starts and dropped again if the update fails; until its `create table` operation runs,
///   operations on it see a missing table;
/// - `delete table` empties the table inside the transaction (`DELETE FROM`, which rolls back),
///   hides it from the operations after it, and drops it after the commit.
/// Other clients can see such a table, empty, between the commit and the drop, or during the
/// update before a rollback removes it.
struct UpdateTransaction {
    let operations: [DatabaseOperation]
    /// The bucket of each operation.
    let tables: [MySQLIdentifier]
    let host: PluginHost
    /// Runs of the whole transaction when InnoDB reports a deadlock or a lock wait timeout.
    static let attempts = 4

    /// An operation's failure, with its index.
    private struct Failure: Error {
        let index: Int
        let error: Error
    }

    func run(on connection: MySQLConnection) throws -> [DatabaseOperationResult] {
        let created = try createMissingTables(on: connection)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try transaction(on: connection, created: created)
            } catch let failure as Failure {
                rollback(connection)
                if let error = failure.error as? MySQLError, error.transient, attempt < Self.attempts, !connection.broken {
                    usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
                    continue
                }
                drop(created, on: connection)
                throw DatabaseUpdateError(index: failure.index, error: pluginError(failure.error, table: tables[failure.index]))
            }
        }
    }

    /// Creates (outside any transaction) the tables this update creates that do not exist yet.
    private func createMissingTables(on connection: MySQLConnection) throws -> [MySQLIdentifier] {
        var created: [MySQLIdentifier] = []
        for (index, operation) in operations.enumerated() {
            guard case .createTable = operation, !created.contains(tables[index]) else { continue }
            do {
                try connection.execute(Statements.createTable(tables[index], ifNotExists: false))
                created.append(tables[index])
            } catch let error as MySQLError where error.code == MySQLError.tableExists {
                continue
            } catch {
                drop(created, on: connection)
                throw DatabaseUpdateError(index: index, error: pluginError(error, table: tables[index]))
            }
        }
        return created
    }

    private func transaction(on connection: MySQLConnection, created: [MySQLIdentifier]) throws -> [DatabaseOperationResult] {
        do {
            try connection.execute("START TRANSACTION")
        } catch {
            throw Failure(index: 0, error: error)
        }
        var hidden = Set(created)  // tables that do not exist at this point of the update
        var dropAfterCommit: [MySQLIdentifier] = []
        var results: [DatabaseOperationResult] = []
        results.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            let table = tables[index]
            do {
                if case .createTable = operation {
                    hidden.remove(table)
                    dropAfterCommit.removeAll { $0 == table }
                    results.append(.done)
                    continue
                }
                guard !hidden.contains(table) else { throw Statements.tableNotFound(table) }
                results.append(try apply(operation, table, on: connection))
                if case .deleteTable = operation {
                    hidden.insert(table)
                    dropAfterCommit.append(table)
                }
            } catch {
                throw Failure(index: index, error: error)
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch let error as MySQLError where error.connectionLost {
            // The outcome is unknown: keep any created table, report, never retry.
            throw PluginError.unavailable("mysql: connection lost during COMMIT; the update may or may not have been applied: \(error)")
        } catch {
            throw Failure(index: operations.count - 1, error: error)
        }
        for table in dropAfterCommit {
            do {
                try connection.execute(Statements.dropTable(table, ifExists: true))
            } catch {
                host.log(.error, "mysql: update committed, but dropping the emptied table \"\(table.text)\" failed: \(error)")
            }
        }
        return results
    }

    private func apply(_ operation: DatabaseOperation, _ table: MySQLIdentifier, on connection: MySQLConnection) throws -> DatabaseOperationResult {
        switch operation {
        case .createTable:
            return .done
        case .deleteTable:
            try connection.execute("DELETE FROM \(table)")
            return .done
        case .get(_, let key):
            guard let value = try Statements.read(table, key, on: connection) else { throw Statements.keyNotFound(table, key) }
            return .value(value)
        case .set(_, let key, let value):
            try Statements.upsert(table, key, value, on: connection)
            return .done
        case .delete(_, let key):
            try Statements.remove(table, key, on: connection)
            return .done
        case .compareAndSwap(_, let key, let old, let new, let abortOnMismatch):
            let result = try Statements.compareAndSwap(table, key, old: old, new: new, on: connection)
            if !result.swapped && abortOnMismatch {
                throw PluginError.conflict("compare-and-swap on table \"\(table.text)\" key \(Statements.describe(key)) found another value")
            }
            return .compareAndSwap(swapped: result.swapped, current: result.current)
        }
    }

    private func rollback(_ connection: MySQLConnection) {
        guard !connection.broken else { return }
        do {
            try connection.execute("ROLLBACK")
        } catch {
            connection.markBroken(lost: false)  // unknown transaction state: never reuse it
        }
    }

    /// Drops the tables this update created, after a rollback.
    private func drop(_ created: [MySQLIdentifier], on connection: MySQLConnection) {
        for table in created where !connection.broken {
            do {
                try connection.execute(Statements.dropTable(table, ifExists: true))
            } catch {
                host.log(.error, "mysql: update rolled back, but dropping the table \"\(table.text)\" it created failed: \(error)")
            }
        }
    }

    private func pluginError(_ error: Error, table: MySQLIdentifier) -> PluginError {
        switch error {
        case let error as PluginError: return error
        case let error as MySQLError: return error.pluginError(table: table)
        default: return .internal("mysql: \(error)")
        }
    }
}
