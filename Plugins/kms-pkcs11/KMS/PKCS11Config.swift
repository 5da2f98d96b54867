import Glibc
import PluginKit

/// The ca.json `kms` object for the PKCS#11 plugin:
/// `{"type": "pkcs11", "uri": "pkcs11:module-path=...;token=...?pin-value=...", "pin": "..."}`.
///
/// `maxSessions` (default 8) bounds the sessions opened for concurrent signing.
public struct PKCS11Config: Decodable, Sendable {
    public var type: String?
    public var uri: String
    public var pin: String?
    public var maxSessions: Int?

    /// Decodes the stanza; errors name the JSON path.
    public static func decode(_ json: String) throws -> PKCS11Config {
        try decodeConfigStanza(PKCS11Config.self, from: json, root: "kms")
    }
}

/// Where the PIN comes from: the URI's `pin-value`, else its `pin-source` file (first line),
/// else the stanza's `pin`; nil when none is given.
enum PINSource {
    static func resolve(_ uri: PKCS11URI, stanzaPIN: String?) throws -> [UInt8]? {
        if let value = uri.pinValue { return value }
        if var file = uri.pinSource {
            if file.hasPrefix("file://") { file.removeFirst(7) } else if file.hasPrefix("file:") { file.removeFirst(5) }
            return try readFirstLine(file, uri: uri.redacted)
        }
        if let stanzaPIN, !stanzaPIN.isEmpty { return Array(stanzaPIN.utf8) }
        return nil
    }

    private static func readFirstLine(_ path: String, uri: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw PluginError.invalidArgument("\(uri): cannot read the pin-source file \(path): \(reason)")
        }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while contents.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            contents += chunk[..<count]
        }
        let line = contents.prefix { $0 != 0x0a && $0 != 0x0d }
        return Array(line)
    }
}
