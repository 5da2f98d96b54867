internal import PluginABI

/// Receives one value from a plugin sink callback.
final class ValueBox: @unchecked Sendable {
    var value: [UInt8]?
    static let sink: stepca_bytes_fn = { context, bytes, length in
        let box = Unmanaged<ValueBox>.fromOpaque(context!).takeUnretainedValue()
        box.value = bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }
}

/// Receives the entries of a listing.
final class EntriesBox: @unchecked Sendable {
    var entries: [(key: [UInt8], value: [UInt8])] = []
    static let visit: stepca_kv_fn = { context, key, keyLength, value, valueLength in
        let box = Unmanaged<EntriesBox>.fromOpaque(context!).takeUnretainedValue()
        let k = key.map { Array(UnsafeBufferPointer(start: $0, count: keyLength)) } ?? []
        let v = value.map { Array(UnsafeBufferPointer(start: $0, count: valueLength)) } ?? []
        box.entries.append((k, v))
        return 0
    }
}

/// Hands each entry of a listing to a Swift closure as the plugin produces it. An error thrown
/// by the closure stops the listing and is kept for the caller to rethrow.
final class VisitorBox: @unchecked Sendable {
    private let body: @Sendable ([UInt8], [UInt8]) throws -> Bool
    /// Written on the listing thread only; read by the caller after `list` has returned.
    var failure: Error?

    init(_ body: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) { self.body = body }

    static let visit: stepca_kv_fn = { context, key, keyLength, value, valueLength in
        let box = Unmanaged<VisitorBox>.fromOpaque(context!).takeUnretainedValue()
        let k = key.map { Array(UnsafeBufferPointer(start: $0, count: keyLength)) } ?? []
        let v = value.map { Array(UnsafeBufferPointer(start: $0, count: valueLength)) } ?? []
        do {
            return try box.body(k, v) ? 0 : 1
        } catch {
            box.failure = error
            return 1
        }
    }
}

/// Holds the swapped flag written by a plugin.
final class SwappedBox: @unchecked Sendable {
    var value: UInt32 = 0
}

/// Receives per-operation values of an update.
final class ResultsBox: @unchecked Sendable {
    var values: [[UInt8]?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    static let receive: stepca_db_result_fn = { context, index, bytes, length in
        let box = Unmanaged<ResultsBox>.fromOpaque(context!).takeUnretainedValue()
        guard index < box.values.count else { return }
        box.values[index] = bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }
}

/// Per-operation statuses and swap flags read back after an update.
final class OpsBox: @unchecked Sendable {
    var statuses: [Int32] = []
    var swapped: [UInt32] = []
}

/// Lays out Swift operations as a C array whose pointers stay valid for one call.
enum OperationEncoder {
    static func withOperations(_ operations: [KVOperation], _ body: (UnsafeMutableBufferPointer<stepca_db_op>) -> Int32) -> Int32 {
        // Keep every byte array alive in one place while the C array points into it.
        var storage: [[UInt8]] = []
        var fields: [(op: UInt32, flags: UInt32, table: Int, key: Int, value: Int, old: Int)] = []
        func keep(_ bytes: [UInt8]) -> Int { storage.append(bytes); return storage.count - 1 }
        for operation in operations {
            switch operation {
            case .createTable(let t):
                fields.append((STEPCA_DB_OP_CREATE_TABLE, 0, keep(Array(t.utf8)), -1, -1, -1))
            case .deleteTable(let t):
                fields.append((STEPCA_DB_OP_DELETE_TABLE, 0, keep(Array(t.utf8)), -1, -1, -1))
            case .get(let t, let k):
                fields.append((STEPCA_DB_OP_GET, 0, keep(Array(t.utf8)), keep(k), -1, -1))
            case .set(let t, let k, let v):
                fields.append((STEPCA_DB_OP_SET, 0, keep(Array(t.utf8)), keep(k), keep(v), -1))
            case .delete(let t, let k):
                fields.append((STEPCA_DB_OP_DELETE, 0, keep(Array(t.utf8)), keep(k), -1, -1))
            case .compareAndSwap(let t, let k, let old, let new, let abort):
                fields.append((STEPCA_DB_OP_CAS, abort ? STEPCA_DB_OPF_ABORT_ON_MISMATCH : 0,
                               keep(Array(t.utf8)), keep(k), keep(new), keep(old)))
            }
        }
        // Copy all bytes into one contiguous allocation so the pointers are stable.
        let total = storage.reduce(0) { $0 + $1.count }
        let arena = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(total, 1))
        defer { arena.deallocate() }
        var offsets: [Int] = []
        var cursor = 0
        for bytes in storage {
            offsets.append(cursor)
            if !bytes.isEmpty {
                _ = UnsafeMutableBufferPointer(rebasing: arena[cursor..<(cursor + bytes.count)]).initialize(from: bytes)
            }
            cursor += bytes.count
        }
        func pointer(_ index: Int) -> (UnsafePointer<UInt8>?, Int) {
            guard index >= 0 else { return (nil, 0) }
            return (UnsafePointer(arena.baseAddress! + offsets[index]), storage[index].count)
        }
        let ops = UnsafeMutableBufferPointer<stepca_db_op>.allocate(capacity: max(fields.count, 1))
        defer { ops.deallocate() }
        for (index, field) in fields.enumerated() {
            let table = pointer(field.table), key = pointer(field.key)
            let value = pointer(field.value), old = pointer(field.old)
            ops[index] = stepca_db_op(
                struct_size: UInt32(MemoryLayout<stepca_db_op>.size), op: field.op, flags: field.flags, status: 0,
                table: table.0, table_len: table.1, key: key.0, key_len: key.1,
                value: value.0, value_len: value.1, old_value: old.0, old_value_len: old.1,
                swapped: 0, reserved: 0)
        }
        return body(UnsafeMutableBufferPointer(rebasing: ops[0..<fields.count]))
    }
}
