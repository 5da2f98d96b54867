import Foundation

/// An anonymous temporary file (created in `$TMPDIR`, mode 0600, unlinked at once) holding
/// listing entries that did not fit in a ``ListingQueue``: one writer appends, one reader reads
/// back in order. Each entry is `[key length u32 LE][value length u32 LE][key][value]`.
final class SpillFile: @unchecked Sendable {
    private let descriptor: Int32
    private var writeOffset: off_t = 0
    private var readOffset: off_t = 0

    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/stepca-export-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw ExportError("cannot create a temporary file in \(directory) to hold the listing: \(String(cString: strerror(errno)))")
        }
        unlink(String(cString: template))
    }

    deinit { close(descriptor) }

    func append(_ key: [UInt8], _ value: [UInt8]) throws {
        var entry: [UInt8] = []
        entry.reserveCapacity(8 + key.count + value.count)
        for length in [UInt32(key.count), UInt32(value.count)] {
            withUnsafeBytes(of: length.littleEndian) { entry.append(contentsOf: $0) }
        }
        entry.append(contentsOf: key)
        entry.append(contentsOf: value)
        var done = 0
        while done < entry.count {
            let written = entry.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, writeOffset + off_t(done)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportError("cannot write the temporary listing file: \(String(cString: strerror(errno)))")
            }
            done += written
        }
        writeOffset += off_t(entry.count)
    }

    func readNext() throws -> ListingQueue.Row {
        let header = try read(8)
        let keyLength = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        let valueLength = Int(UInt32(header[4]) | UInt32(header[5]) << 8 | UInt32(header[6]) << 16 | UInt32(header[7]) << 24)
        let body = try read(keyLength + valueLength)
        return ListingQueue.Row(key: Array(body[0..<keyLength]), value: Array(body[keyLength...]))
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, readOffset + off_t(done)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ExportError("cannot read the temporary listing file: \(String(cString: strerror(errno)))")
            }
            guard got > 0 else { throw ExportError("the temporary listing file ended early") }
            done += got
        }
        readOffset += off_t(count)
        return bytes
    }
}
