import Foundation

/// Where export bytes go: standard output, or a file that appears (atomically renamed into
/// place, mode 0600) only once the export is complete. Bytes are gathered in a fixed-size buffer
/// and written with `write(2)` when it fills, so memory does not grow with the output.
final class ExportOutput {
    /// Flush threshold of ``pending``.
    static let bufferSize = 64 * 1024

    private let descriptor: Int32
    /// For a file: the final path and the temporary file written meanwhile.
    private let destination: (final: String, temporary: String)?
    private var pending: [UInt8] = []
    private var closed = false
    /// How the output is named in messages.
    let displayName: String

    private init(descriptor: Int32, destination: (final: String, temporary: String)?, displayName: String) {
        self.descriptor = descriptor
        self.destination = destination
        self.displayName = displayName
        pending.reserveCapacity(Self.bufferSize + 4096)
    }

    static func standardOutput() -> ExportOutput {
        ExportOutput(descriptor: STDOUT_FILENO, destination: nil, displayName: "standard output")
    }

    /// A temporary file beside `path`, renamed to `path` by ``commit()``.
    static func file(_ path: String) throws -> ExportOutput {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/." + base + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw ExportError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let temporary = String(cString: template)
        return ExportOutput(descriptor: descriptor, destination: (path, temporary), displayName: path)
    }

    /// Lets `body` append to the buffer, writing it out once it holds ``bufferSize`` bytes.
    func append(_ body: (inout [UInt8]) -> Void) throws {
        body(&pending)
        if pending.count >= Self.bufferSize { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < pending.count {
            let written = pending.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportError("cannot write to \(displayName): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes what is left; a file is synced, closed and renamed into place.
    func commit() throws {
        try flush()
        guard let destination, !closed else { return }
        closed = true
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(destination.temporary)
            throw ExportError("cannot write to \(displayName): \(reason)")
        }
        close(descriptor)
        guard rename(destination.temporary, destination.final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(destination.temporary)
            throw ExportError("cannot move the export into place at \(destination.final): \(reason)")
        }
    }

    /// After a failure: a file's partial output is removed (an existing file at the path is
    /// left as it was).
    func abandon() {
        guard let destination, !closed else { return }
        closed = true
        close(descriptor)
        unlink(destination.temporary)
    }

    deinit { abandon() }
}

/// A failure of the export with a message for the user.
struct ExportError: Error, CustomStringConvertible, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
