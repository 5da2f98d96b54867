/// One operation of an atomic update (step-ca's `database.Tx`).
enum KVOperation: Sendable, Equatable {
    case createTable(String)
    case deleteTable(String)
    case get(table: String, key: [UInt8])
    case set(table: String, key: [UInt8], value: [UInt8])
    case delete(table: String, key: [UInt8])
    /// With `abortOnMismatch`, a mismatch rolls back the whole update with a conflict error.
    case compareAndSwap(table: String, key: [UInt8], old: [UInt8], new: [UInt8], abortOnMismatch: Bool)
}

/// The outcome of one operation of a committed update.
enum KVResult: Sendable, Equatable {
    case done
    case value([UInt8])
    case compareAndSwap(swapped: Bool, current: [UInt8])
}

/// The result of a compare-and-swap: whether it swapped, and the value found when it did not.
struct SwapResult: Sendable, Equatable {
    var swapped: Bool
    var current: [UInt8]
}

/// step-ca's key/value database model (`nosql.DB`). Missing, nil and empty values are the same.
///
/// Every write returns only once it is durable. Implementations: ``InMemoryStore`` (no `db`
/// stanza) and ``PluginDatabase`` (a DB plugin).
protocol KeyValueStore: Sendable {
    /// A short description for logs and errors, e.g. "sqlite plugin (/var/lib/step-ca/ca.db)".
    var name: String { get }
    /// Whether data outlives the process (false for the in-memory store).
    var isPersistent: Bool { get }

    func createTable(_ table: String) async throws
    func deleteTable(_ table: String) async throws
    /// The stored value, or nil when the key (or its table) is absent.
    func get(_ table: String, _ key: [UInt8]) async throws -> [UInt8]?
    func set(_ table: String, _ key: [UInt8], _ value: [UInt8]) async throws
    func delete(_ table: String, _ key: [UInt8]) async throws
    func list(_ table: String) async throws -> [(key: [UInt8], value: [UInt8])]
    /// Streams every entry of a table to `visit`, in unspecified order, without collecting them:
    /// `visit` returns false to stop early (the call then still succeeds); an error it throws
    /// stops the listing and is rethrown. `visit` runs on the thread doing the listing (for a
    /// plugin: a plugin pool thread, inside the plugin's `list` call) and may block there to
    /// apply back-pressure; it must not call this store itself (see
    /// ``servesCallsDuringListing``).
    func forEach(_ table: String, _ visit: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) async throws
    /// Whether calls made from other threads proceed while a ``forEach(_:_:)`` is in progress.
    /// False for a plugin the host serialises (not thread-safe): every other call then waits
    /// until the listing has returned, so a consumer that looks values up while it holds back
    /// the listing would deadlock.
    var servesCallsDuringListing: Bool { get }
    func compareAndSwap(_ table: String, _ key: [UInt8], old: [UInt8], new: [UInt8]) async throws -> SwapResult
    /// Runs every operation in one transaction; on failure nothing is applied.
    func update(_ operations: [KVOperation]) async throws -> [KVResult]
    func close() async
}

/// A database failure with a stable code.
struct DatabaseError: Error, CustomStringConvertible, Sendable {
    struct Code: Hashable, Sendable {
        let rawValue: String
        static let notFound = Code(rawValue: "db-not-found")
        static let conflict = Code(rawValue: "db-conflict")
        static let invalid = Code(rawValue: "db-invalid")
        static let unavailable = Code(rawValue: "db-unavailable")
        static let unsupported = Code(rawValue: "db-unsupported")
        static let `internal` = Code(rawValue: "db-internal")
    }

    let code: Code
    let message: String
    /// For a failed update: the index of the operation that failed.
    var operationIndex: Int? = nil

    var description: String { message }
}
