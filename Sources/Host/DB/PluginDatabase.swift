internal import PluginABI

/// A ``KeyValueStore`` served by a database plugin through the C ABI.
///
/// Every call runs on the plugin thread pool (see ``LoadedPlugin/call(_:)``), never on an event
/// loop. Plugin failures become ``DatabaseError``s that name the plugin.
final class PluginDatabase: KeyValueStore, @unchecked Sendable {
    /// The function table and the open handle, which the plugin allows any pool thread to use.
    private struct Raw: @unchecked Sendable {
        let table: UnsafePointer<stepca_db_v1>
        let handle: OpaquePointer
    }

    private let plugin: LoadedPlugin
    private let raw: Raw
    /// Concurrent updates become one plugin transaction (one call, one durable commit).
    private let coalescer: UpdateCoalescer
    let name: String
    let isPersistent = true

    /// Opens the database with the ca.json `db` object as JSON text.
    init(plugin: LoadedPlugin, configJSON: String, description: String) throws {
        self.plugin = plugin
        let table = plugin.table.assumingMemoryBound(to: stepca_db_v1.self)
        self.name = "\(plugin.name) plugin (\(description))"
        var handle: OpaquePointer?
        let status = plugin.callNow {
            ErrorBuffer.withBuffer { err in
                var json = configJSON
                return json.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { table.pointee.open!($0.baseAddress, $0.count, &handle, err) }
                }
            }
        }
        guard status.code == STEPCA_OK, let handle else {
            throw PluginDatabase.error(plugin: plugin.name, operation: "open", status)
        }
        let raw = Raw(table: table, handle: handle)
        self.raw = raw
        self.coalescer = UpdateCoalescer { operations in try await Self.update(operations, plugin: plugin, raw: raw) }
    }

    func close() async {
        let raw = self.raw
        _ = try? await plugin.call { raw.table.pointee.close!(raw.handle) }
    }

    func createTable(_ name: String) async throws {
        try await run("create table \(name)") { t, h, err in
            withBytes(name) { t.pointee.create_table!(h, $0.baseAddress, $0.count, err) }
        }
    }

    func deleteTable(_ name: String) async throws {
        try await run("delete table \(name)") { t, h, err in
            withBytes(name) { t.pointee.delete_table!(h, $0.baseAddress, $0.count, err) }
        }
    }

    func get(_ name: String, _ key: [UInt8]) async throws -> [UInt8]? {
        let box = ValueBox()
        do {
            try await run("get \(name)") { t, h, err in
                withBytes(name) { tb in
                    key.withUnsafeBufferPointer { kb in
                        t.pointee.get!(h, tb.baseAddress, tb.count, kb.baseAddress, kb.count, ValueBox.sink,
                                       Unmanaged.passUnretained(box).toOpaque(), err)
                    }
                }
            }
        } catch let error as DatabaseError where error.code == .notFound {
            return nil
        }
        return box.value ?? []
    }

    func set(_ name: String, _ key: [UInt8], _ value: [UInt8]) async throws {
        try await run("set \(name)") { t, h, err in
            withBytes(name) { tb in
                key.withUnsafeBufferPointer { kb in
                    value.withUnsafeBufferPointer { vb in
                        t.pointee.set!(h, tb.baseAddress, tb.count, kb.baseAddress, kb.count, vb.baseAddress, vb.count, err)
                    }
                }
            }
        }
    }

    func delete(_ name: String, _ key: [UInt8]) async throws {
        try await run("delete \(name)") { t, h, err in
            withBytes(name) { tb in
                key.withUnsafeBufferPointer { kb in t.pointee.del!(h, tb.baseAddress, tb.count, kb.baseAddress, kb.count, err) }
            }
        }
    }

    func list(_ name: String) async throws -> [(key: [UInt8], value: [UInt8])] {
        let box = EntriesBox()
        try await run("list \(name)") { t, h, err in
            withBytes(name) { tb in
                t.pointee.list!(h, tb.baseAddress, tb.count, EntriesBox.visit, Unmanaged.passUnretained(box).toOpaque(), err)
            }
        }
        return box.entries
    }

    /// Streams the plugin's `list` callbacks to `visit` one entry at a time (nothing is
    /// collected). `visit` runs on the plugin pool thread inside the plugin's `list` call.
    func forEach(_ name: String, _ visit: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) async throws {
        let box = VisitorBox(visit)
        try await run("list \(name)") { t, h, err in
            withBytes(name) { tb in
                t.pointee.list!(h, tb.baseAddress, tb.count, VisitorBox.visit, Unmanaged.passUnretained(box).toOpaque(), err)
            }
        }
        if let failure = box.failure { throw failure }
    }

    /// A thread-safe plugin may be called from other threads during a listing (ABI: calls may be
    /// concurrent); the host serialises every call to any other plugin.
    var servesCallsDuringListing: Bool { plugin.threadSafe }

    func compareAndSwap(_ name: String, _ key: [UInt8], old: [UInt8], new: [UInt8]) async throws -> SwapResult {
        let box = ValueBox()
        let swapped = SwappedBox()
        try await run("compare-and-swap \(name)") { t, h, err in
            withBytes(name) { tb in
                key.withUnsafeBufferPointer { kb in
                    old.withUnsafeBufferPointer { ob in
                        new.withUnsafeBufferPointer { nb in
                            t.pointee.cas!(h, tb.baseAddress, tb.count, kb.baseAddress, kb.count, ob.baseAddress, ob.count,
                                           nb.baseAddress, nb.count, &swapped.value, ValueBox.sink,
                                           Unmanaged.passUnretained(box).toOpaque(), err)
                        }
                    }
                }
            }
        }
        return SwapResult(swapped: swapped.value == 1, current: swapped.value == 1 ? [] : (box.value ?? []))
    }

    func update(_ operations: [KVOperation]) async throws -> [KVResult] {
        try await coalescer.update(operations)
    }

    /// One plugin `update` call: the operations in one transaction.
    private static func update(_ operations: [KVOperation], plugin: LoadedPlugin, raw: Raw) async throws -> [KVResult] {
        let results = ResultsBox(count: operations.count)
        let outcome = OpsBox()
        do {
            try await run("update", plugin: plugin, raw: raw) { t, h, err in
                OperationEncoder.withOperations(operations) { ops in
                    let status = t.pointee.update!(h, ops.baseAddress, ops.count, ResultsBox.receive,
                                                   Unmanaged.passUnretained(results).toOpaque(), err)
                    outcome.statuses = ops.map(\.status)
                    outcome.swapped = ops.map(\.swapped)
                    return status
                }
            }
        } catch var error as DatabaseError {
            error.operationIndex = outcome.statuses.firstIndex { $0 != STEPCA_OK }
            throw error
        }
        return operations.enumerated().map { index, operation in
            switch operation {
            case .get: return .value(results.values[index] ?? [])
            case .compareAndSwap:
                let swapped = outcome.swapped[index] == 1
                return .compareAndSwap(swapped: swapped, current: swapped ? [] : (results.values[index] ?? []))
            default: return .done
            }
        }
    }

    private func run(_ operation: String,
                     _ body: @escaping @Sendable (UnsafePointer<stepca_db_v1>, OpaquePointer, UnsafeMutablePointer<stepca_errbuf>) -> Int32) async throws {
        try await Self.run(operation, plugin: plugin, raw: raw, body)
    }

    /// Runs one call on the plugin pool and converts a failure status.
    private static func run(_ operation: String, plugin: LoadedPlugin, raw: Raw,
                            _ body: @escaping @Sendable (UnsafePointer<stepca_db_v1>, OpaquePointer, UnsafeMutablePointer<stepca_errbuf>) -> Int32) async throws {
        let status = try await plugin.call { ErrorBuffer.withBuffer { body(raw.table, raw.handle, $0) } }
        guard status.code == STEPCA_OK else { throw Self.error(plugin: plugin.name, operation: operation, status) }
    }

    static func error(plugin: String, operation: String, _ status: (code: Int32, message: String)) -> DatabaseError {
        let code: DatabaseError.Code
        switch status.code {
        case STEPCA_E_NOT_FOUND: code = .notFound
        case STEPCA_E_CONFLICT: code = .conflict
        case STEPCA_E_INVALID_ARG: code = .invalid
        case STEPCA_E_UNAVAILABLE, STEPCA_E_AUTH: code = .unavailable
        case STEPCA_E_UNSUPPORTED: code = .unsupported
        default: code = .internal
        }
        let text = status.message.isEmpty ? "failed with status \(status.code) and no message" : status.message
        return DatabaseError(code: code, message: "\(plugin) plugin: \(operation): \(text)")
    }
}

@inline(__always)
private func withBytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    Array(text.utf8).withUnsafeBufferPointer(body)
}
