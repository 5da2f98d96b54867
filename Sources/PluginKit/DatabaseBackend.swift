/// One operation of an atomic multi-operation update (step-ca's `database.Tx`).
public enum DatabaseOperation: Sendable, Equatable {
    case createTable(table: [UInt8])
    case deleteTable(table: [UInt8])
    case get(table: [UInt8], key: [UInt8])
    case set(table: [UInt8], key: [UInt8], value: [UInt8])
    case delete(table: [UInt8], key: [UInt8])
    /// Compare-and-swap; with `abortOnMismatch` a mismatch rolls back the whole update.
    case compareAndSwap(table: [UInt8], key: [UInt8], old: [UInt8], new: [UInt8], abortOnMismatch: Bool)
}

/// The outcome of one operation inside a committed update.
public enum DatabaseOperationResult: Sendable, Equatable {
    /// The operation wrote, created or deleted.
    case done
    /// A `get` read this value.
    case value([UInt8])
    /// A compare-and-swap: whether it swapped, and the current value when it did not.
    case compareAndSwap(swapped: Bool, current: [UInt8])
}

/// The result of a compare-and-swap.
public struct CompareAndSwapResult: Sendable, Equatable {
    public var swapped: Bool
    /// The value found when the swap did not happen (empty when it did).
    public var current: [UInt8]
    public init(swapped: Bool, current: [UInt8]) {
        self.swapped = swapped
        self.current = current
    }
}

/// An error inside an update, naming the operation that failed.
public struct DatabaseUpdateError: Error, Sendable {
    public var index: Int
    public var error: PluginError
    public init(index: Int, error: PluginError) {
        self.index = index
        self.error = error
    }
}

/// A key/value database backend: step-ca's `nosql.DB` model.
///
/// Implement this protocol and export it with ``exportDatabasePlugin(_:)``. Missing values, nil
/// values and empty values are equivalent. Throw ``PluginError`` with `.notFound` for a missing
/// key or table. Every write must be durable before the method returns.
public protocol DatabaseBackend: AnyObject {
    /// Opens the database from the ca.json `db` object, given as JSON text.
    static func open(configJSON: String, host: PluginHost) throws -> Self

    func createTable(_ table: [UInt8]) throws
    func deleteTable(_ table: [UInt8]) throws
    func get(table: [UInt8], key: [UInt8]) throws -> [UInt8]
    func set(table: [UInt8], key: [UInt8], value: [UInt8]) throws
    func delete(table: [UInt8], key: [UInt8]) throws
    /// Calls `visit` for each entry until it returns `false`.
    func list(table: [UInt8], visit: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws
    func compareAndSwap(table: [UInt8], key: [UInt8], old: [UInt8], new: [UInt8]) throws -> CompareAndSwapResult
    /// Runs all operations in one transaction; throws ``DatabaseUpdateError`` after a rollback.
    func update(_ operations: [DatabaseOperation]) throws -> [DatabaseOperationResult]
    /// Releases every resource. No call is in flight.
    func close()
}
