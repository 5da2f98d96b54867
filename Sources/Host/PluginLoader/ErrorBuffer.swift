internal import PluginABI

/// A caller-owned error buffer for one plugin call.
enum ErrorBuffer {
    static let capacity = 1024

    /// Calls `body` with a fresh `stepca_errbuf` and returns the status with the message.
    static func withBuffer(_ body: (UnsafeMutablePointer<stepca_errbuf>) throws -> Int32) rethrows -> (code: Int32, message: String) {
        var storage = [CChar](repeating: 0, count: capacity)
        return try storage.withUnsafeMutableBufferPointer { chars in
            var err = stepca_errbuf(buf: chars.baseAddress, cap: capacity, len: 0)
            let code = try body(&err)
            let length = min(err.len, capacity - 1)
            let message = String(decoding: UnsafeRawBufferPointer(start: chars.baseAddress, count: length), as: UTF8.self)
            return (code, message)
        }
    }
}
