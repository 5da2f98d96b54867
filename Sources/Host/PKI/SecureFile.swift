import Foundation

/// Writes files and directories with explicit permissions (keys 0600, directories 0700).
enum SecureFile {
    /// Creates `path` and missing parents with mode 0700.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        } catch {
            throw StartupError(.exists, "cannot create directory \(path): \(error.localizedDescription)")
        }
    }

    /// Writes `contents` to `path` with `mode`, created with that mode from the start so that a
    /// secret is never readable by others, even briefly.
    static func write(_ contents: String, to path: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw StartupError(.exists, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        fchmod(descriptor, mode)
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw StartupError(.exists, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw StartupError(.exists, "cannot flush \(path): \(String(cString: strerror(errno)))")
        }
    }
}
