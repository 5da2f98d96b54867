import PluginKit

/// Finds the YubiKey a configuration names among the readers pcscd sees.
enum CardSelection {
    /// A connected card with what it said about itself.
    struct Selected {
        let connection: CardConnection
        let version: FirmwareVersion
        let serial: UInt32?
    }

    static func find(_ config: YubiKeyConfig, context: PCSCContext) throws -> Selected {
        let readers = try context.readers()
        guard !readers.isEmpty else {
            throw PluginError.notFound("no smart-card reader is attached (pcscd sees none)")
        }
        let candidates = readers.filter { reader in
            config.readerFilter.map { reader.lowercased().contains($0.lowercased()) } ?? true
        }
        guard !candidates.isEmpty else {
            throw PluginError.notFound("no reader name contains \"\(config.readerFilter ?? "")\"; readers seen: \(readers.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        var seen: [String] = []
        for reader in candidates {
            let connection: CardConnection
            do {
                connection = try context.connect(reader: reader)
            } catch {
                seen.append("\"\(reader)\" (no card)")
                continue
            }
            do {
                let identity = try connection.withTransaction { () -> (FirmwareVersion, UInt32?) in
                    try connection.selectPIV()
                    let version = try connection.firmwareVersion()
                    return (version, try connection.serialNumber())
                }
                if config.serial == nil || config.serial == identity.1 {
                    return Selected(connection: connection, version: identity.0, serial: identity.1)
                }
                seen.append("\"\(reader)\" (serial \(identity.1.map(String.init) ?? "unknown"))")
            } catch let error as PluginError {
                seen.append("\"\(reader)\" (\(error.message))")
            }
            connection.close()
        }
        let wanted = config.serial.map { "no YubiKey with serial \($0)" } ?? "no YubiKey"
        throw PluginError.notFound("\(wanted) found; readers seen: \(seen.joined(separator: ", "))")
    }
}
