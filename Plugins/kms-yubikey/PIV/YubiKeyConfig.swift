import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import PluginKit

/// The ca.json `kms` object for YubiKeys:
/// `{"type": "yubikey", "uri": "yubikey:management-key=…;serial=…?pin-value=…", "pin": …, "managementKey": …}`.
///
/// URI attributes: `serial` (decimal), `reader` (a case-insensitive part of the reader name),
/// `management-key` (hex; default 010203…0708), `pin-value` or `pin-source` (a file whose
/// content, trimmed, is the PIN). `pin` and `managementKey` in the object win over the URI.
struct YubiKeyConfig {
    /// The URI without secrets, for messages.
    let displayURI: String
    let serial: UInt32?
    let readerFilter: String?
    let pin: String?
    let managementKey: [UInt8]

    /// YubiKey's factory management key (3DES before firmware 5.7, AES-192 from 5.7 on).
    static let defaultManagementKey: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8]

    private struct Stanza: Decodable {
        var type: String?
        var uri: String?
        var pin: String?
        var managementKey: String?
    }

    init(json: String) throws {
        let stanza = try decodeConfigStanza(Stanza.self, from: json, root: "kms")
        let uri = try YubiKeyURI(stanza.uri.flatMap { $0.isEmpty ? nil : $0 } ?? "yubikey:")
        displayURI = uri.redacted
        if let text = uri.value("serial") {
            guard let serial = UInt32(text) else {
                throw PluginError.invalidArgument("kms.uri \(uri.redacted): serial \"\(text)\" is not a decimal number")
            }
            self.serial = serial
        } else {
            serial = nil
        }
        readerFilter = uri.value("reader").flatMap { $0.isEmpty ? nil : $0 }

        if let pin = stanza.pin, !pin.isEmpty {
            self.pin = pin
        } else if let pin = uri.value("pin-value") {
            self.pin = pin
        } else if let source = uri.value("pin-source") {
            self.pin = try Self.readPIN(source, uri: uri.redacted)
        } else {
            pin = nil
        }

        let keyText = stanza.managementKey.flatMap { $0.isEmpty ? nil : $0 } ?? uri.value("management-key")
        if let keyText {
            guard let key = hexBytes(keyText), [16, 24, 32].contains(key.count) else {
                throw PluginError.invalidArgument("kms.uri \(uri.redacted): the management key must be 32, 48 or 64 hex digits (3DES/AES-192: 48, AES-128: 32, AES-256: 64)")
            }
            managementKey = key
        } else {
            managementKey = Self.defaultManagementKey
        }
    }

    private static func readPIN(_ source: String, uri: String) throws -> String {
        let path = source.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
        guard let file = fopen(path, "r") else {
            throw PluginError.invalidArgument("kms.uri \(uri): cannot read pin-source \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[..<count]
            if bytes.count > 4096 { break }
        }
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let trimmed = bytes.drop { space.contains($0) }.reversed().drop { space.contains($0) }.reversed()
        let text = String(decoding: Array(trimmed), as: UTF8.self)
        guard !text.isEmpty else { throw PluginError.invalidArgument("kms.uri \(uri): pin-source \(path) is empty") }
        return text
    }
}
