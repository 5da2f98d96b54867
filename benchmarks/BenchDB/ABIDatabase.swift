import Foundation
import PluginABI

/// A database plugin opened the way the host opens it (dlopen, entry point, function table),
/// reduced to what the benchmark calls. Errors end the benchmark.
final class ABIDatabase: @unchecked Sendable {
    private let table: UnsafePointer<stepca_db_v1>
    private let handle: OpaquePointer
    private let name: [UInt8]

    init(path: String, configJSON: String, table name: String) throws {
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw BenchError("cannot load \(path): \(String(cString: dlerror()))")
        }
        guard let symbol = dlsym(library, STEPCA_ENTRY_SYMBOL) else {
            throw BenchError("\(path) does not export \(STEPCA_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: stepca_plugin_entry_fn.self)
        var descriptor: UnsafePointer<stepca_plugin_v1>?
        try Self.check("entry") { entry(UInt32(STEPCA_ABI_MAJOR), nil, &descriptor, $0) }
        guard let descriptor, descriptor.pointee.kind == STEPCA_KIND_DB, let table = descriptor.pointee.table else {
            throw BenchError("\(path) is not a database plugin")
        }
        let functions = table.assumingMemoryBound(to: stepca_db_v1.self)
        var opened: OpaquePointer?
        var json = configJSON
        try Self.check("open") { err in
            json.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { functions.pointee.open!($0.baseAddress, $0.count, &opened, err) }
            }
        }
        let bytes = Array(name.utf8)
        try Self.check("create_table") { err in functions.pointee.create_table!(opened, bytes, bytes.count, err) }
        self.table = functions
        self.handle = opened!
        self.name = bytes
    }

    func close() {
        table.pointee.close!(handle)
    }

    func get(_ key: [UInt8]) throws -> [UInt8] {
        let box = ValueBox()
        try Self.check("get") { err in
            table.pointee.get!(handle, name, name.count, key, key.count, ValueBox.sink, Unmanaged.passUnretained(box).toOpaque(), err)
        }
        return box.value
    }

    func set(_ key: [UInt8], _ value: [UInt8]) throws {
        try Self.check("set") { err in
            table.pointee.set!(handle, name, name.count, key, key.count, value, value.count, err)
        }
    }

    /// Returns whether the value was swapped, and the current value when it was not.
    func compareAndSwap(_ key: [UInt8], old: [UInt8], new: [UInt8]) throws -> (swapped: Bool, current: [UInt8]) {
        let box = ValueBox()
        var swapped: UInt32 = 0
        try Self.check("cas") { err in
            table.pointee.cas!(handle, name, name.count, key, key.count, old, old.count, new, new.count, &swapped,
                               ValueBox.sink, Unmanaged.passUnretained(box).toOpaque(), err)
        }
        return (swapped == 1, box.value)
    }

    /// Runs one call with an error buffer and throws its message on failure.
    private static func check(_ operation: String, _ call: (UnsafeMutablePointer<stepca_errbuf>) -> Int32) throws {
        var text = [CChar](repeating: 0, count: 512)
        let (status, length) = text.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
            var err = stepca_errbuf(buf: buffer.baseAddress, cap: buffer.count, len: 0)
            let status = call(&err)
            return (status, err.len)
        }
        guard status == STEPCA_OK else {
            let message = String(decoding: text.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw BenchError("\(operation) failed with status \(status): \(message)")
        }
    }
}

/// Copies a value out of a plugin sink, as the host does.
private final class ValueBox {
    var value: [UInt8] = []
    static let sink: stepca_bytes_fn = { context, bytes, length in
        let box = Unmanaged<ValueBox>.fromOpaque(context!).takeUnretainedValue()
        box.value = bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
