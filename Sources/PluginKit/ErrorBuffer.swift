internal import PluginABI

/// Runs `body` and converts a thrown error into an ABI status plus a message in `err`.
///
/// This is the only place where Swift errors cross into C: no error ever escapes a C thunk.
@inline(__always)
func withStatus(_ err: UnsafeMutablePointer<stepca_errbuf>?, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return STEPCA_OK
    } catch let error as PluginError {
        writeError(err, error.message)
        return error.code.rawValue
    } catch {
        writeError(err, String(describing: error))
        return STEPCA_E_INTERNAL
    }
}

/// Writes a message into a caller-owned error buffer, truncating to its capacity.
func writeError(_ err: UnsafeMutablePointer<stepca_errbuf>?, _ message: String) {
    var text = message
    text.withUTF8 { utf8 in
        utf8.withMemoryRebound(to: CChar.self) { chars in
            stepca_errbuf_set(err, chars.baseAddress, chars.count)
        }
    }
}

/// Copies borrowed C bytes into a Swift array (empty for a NULL pointer).
@inline(__always)
func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// Copies a borrowed, length-delimited UTF-8 string.
@inline(__always)
func string(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
    guard let pointer, count > 0 else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
        String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
}

/// Delivers bytes to a C sink callback.
@inline(__always)
func deliver(_ value: [UInt8], _ sink: stepca_bytes_fn?, _ ctx: UnsafeMutableRawPointer?) {
    guard let sink else { return }
    value.withUnsafeBufferPointer { sink(ctx, $0.baseAddress, $0.count) }
}

/// Writes `value` into a caller buffer whose capacity is `*length`, following the ABI's
/// size-query rule.
func copyOut(_ value: [UInt8], _ out: UnsafeMutablePointer<UInt8>?, _ length: UnsafeMutablePointer<Int>?) throws {
    guard let length else { throw PluginError.invalidArgument("output length pointer is NULL") }
    let capacity = length.pointee
    length.pointee = value.count
    guard let out, capacity >= value.count else {
        throw PluginError(.bufferTooSmall, "output needs \(value.count) bytes, buffer has \(capacity)")
    }
    value.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: value.count) }
}
