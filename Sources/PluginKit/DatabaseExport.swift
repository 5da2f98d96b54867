internal import PluginABI

/// Answers `stepca_plugin_entry` for a database plugin implemented by `backend`.
///
/// Call it from the plugin's entry point:
/// ```swift
/// @_cdecl("stepca_plugin_entry")
/// public func entry(_ major: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?, _ err: OpaquePointer?) -> Int32 {
///     exportDatabasePlugin(MyStore.self, info: ..., major, host, out, err)
/// }
/// ```
public func exportDatabasePlugin(_ backend: any DatabaseBackend.Type, info: PluginInfo,
                                 _ hostMajor: UInt32, _ host: OpaquePointer?,
                                 _ out: OpaquePointer?, _ err: OpaquePointer?) -> Int32 {
    PluginState.database = backend
    let args = PluginEntryArguments(
        hostMajor: hostMajor,
        host: UnsafePointer(host),
        out: UnsafeMutablePointer(out),
        err: UnsafeMutablePointer(err))
    return answerEntry(args, info: info, kind: STEPCA_KIND_DB) { UnsafeRawPointer(databaseTable) }
}

/// The boxed backend behind a `stepca_db *` handle.
private final class DatabaseHandle {
    let backend: any DatabaseBackend
    init(_ backend: any DatabaseBackend) { self.backend = backend }
}

@inline(__always)
private func handle(_ db: OpaquePointer?) throws -> any DatabaseBackend {
    guard let db else { throw PluginError.invalidArgument("database handle is NULL") }
    return Unmanaged<DatabaseHandle>.fromOpaque(UnsafeRawPointer(db)).takeUnretainedValue().backend
}

/// The static C function table of every Swift database plugin.
private let databaseTable: UnsafePointer<stepca_db_v1> = {
    let table = UnsafeMutablePointer<stepca_db_v1>.allocate(capacity: 1)
    table.initialize(to: stepca_db_v1(
        struct_size: UInt32(MemoryLayout<stepca_db_v1>.size),
        reserved: 0,
        open: { config, length, out, err in
            withStatus(err) {
                guard let type = PluginState.database else { throw PluginError.internal("plugin not initialised") }
                guard let out else { throw PluginError.invalidArgument("handle output pointer is NULL") }
                let backend = try type.open(configJSON: string(config, length), host: PluginState.host)
                out.pointee = OpaquePointer(Unmanaged.passRetained(DatabaseHandle(backend)).toOpaque())
            }
        },
        close: { db in
            guard let db else { return }
            let box = Unmanaged<DatabaseHandle>.fromOpaque(UnsafeRawPointer(db))
            box.takeUnretainedValue().backend.close()
            box.release()
        },
        create_table: { db, table, tableLength, err in
            withStatus(err) { try handle(db).createTable(bytes(table, tableLength)) }
        },
        delete_table: { db, table, tableLength, err in
            withStatus(err) { try handle(db).deleteTable(bytes(table, tableLength)) }
        },
        get: { db, table, tableLength, key, keyLength, sink, sinkContext, err in
            withStatus(err) {
                let value = try handle(db).get(table: bytes(table, tableLength), key: bytes(key, keyLength))
                deliver(value, sink, sinkContext)
            }
        },
        set: { db, table, tableLength, key, keyLength, value, valueLength, err in
            withStatus(err) {
                try handle(db).set(table: bytes(table, tableLength), key: bytes(key, keyLength),
                                   value: bytes(value, valueLength))
            }
        },
        del: { db, table, tableLength, key, keyLength, err in
            withStatus(err) { try handle(db).delete(table: bytes(table, tableLength), key: bytes(key, keyLength)) }
        },
        list: { db, table, tableLength, visit, visitContext, err in
            withStatus(err) {
                guard let visit else { throw PluginError.invalidArgument("visit callback is NULL") }
                try handle(db).list(table: bytes(table, tableLength)) { key, value in
                    key.withUnsafeBufferPointer { k in
                        value.withUnsafeBufferPointer { v in
                            visit(visitContext, k.baseAddress, k.count, v.baseAddress, v.count) == 0
                        }
                    }
                }
            }
        },
        cas: { db, table, tableLength, key, keyLength, old, oldLength, new, newLength, swapped, sink, sinkContext, err in
            withStatus(err) {
                let result = try handle(db).compareAndSwap(
                    table: bytes(table, tableLength), key: bytes(key, keyLength),
                    old: bytes(old, oldLength), new: bytes(new, newLength))
                swapped?.pointee = result.swapped ? 1 : 0
                if !result.swapped { deliver(result.current, sink, sinkContext) }
            }
        },
        update: { db, ops, count, result, resultContext, err in
            var failedIndex = -1
            let status = withStatus(err) {
                guard count == 0 || ops != nil else { throw PluginError.invalidArgument("operations pointer is NULL") }
                do {
                    let operations = try (0..<count).map { try decodeOperation(ops![$0], index: $0) }
                    let results = try handle(db).update(operations)
                    for (index, outcome) in results.enumerated() where index < count {
                        ops![index].status = STEPCA_OK
                        switch outcome {
                        case .done:
                            break
                        case .value(let value):
                            if let result { value.withUnsafeBufferPointer { result(resultContext, index, $0.baseAddress, $0.count) } }
                        case .compareAndSwap(let swapped, let current):
                            ops![index].swapped = swapped ? 1 : 0
                            if !swapped, let result {
                                current.withUnsafeBufferPointer { result(resultContext, index, $0.baseAddress, $0.count) }
                            }
                        }
                    }
                } catch let failure as DatabaseUpdateError {
                    failedIndex = failure.index
                    throw PluginError(failure.error.code, "operation \(failure.index): \(failure.error.message)")
                }
            }
            if failedIndex >= 0, failedIndex < count { ops![failedIndex].status = status }
            return status
        }
    ))
    return UnsafePointer(table)
}()

/// Reads one C operation into its Swift form, validating the command and its fields.
private func decodeOperation(_ op: stepca_db_op, index: Int) throws -> DatabaseOperation {
    guard op.struct_size >= UInt32(MemoryLayout<stepca_db_op>.size) else {
        throw DatabaseUpdateError(index: index, error: .invalidArgument("operation \(index) has struct_size \(op.struct_size)"))
    }
    let table = bytes(op.table, op.table_len)
    let key = bytes(op.key, op.key_len)
    switch op.op {
    case STEPCA_DB_OP_CREATE_TABLE: return .createTable(table: table)
    case STEPCA_DB_OP_DELETE_TABLE: return .deleteTable(table: table)
    case STEPCA_DB_OP_GET: return .get(table: table, key: key)
    case STEPCA_DB_OP_SET: return .set(table: table, key: key, value: bytes(op.value, op.value_len))
    case STEPCA_DB_OP_DELETE: return .delete(table: table, key: key)
    case STEPCA_DB_OP_CAS:
        return .compareAndSwap(table: table, key: key, old: bytes(op.old_value, op.old_value_len),
                               new: bytes(op.value, op.value_len),
                               abortOnMismatch: op.flags & STEPCA_DB_OPF_ABORT_ON_MISMATCH != 0)
    default:
        throw PluginError.invalidArgument("operation \(index) has unknown command \(op.op)")
    }
}
