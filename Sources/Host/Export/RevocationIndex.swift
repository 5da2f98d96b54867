import Foundation

/// Every `revoked_x509_certs` entry, by serial, loaded before the certificates are streamed.
///
/// Held in memory on purpose: revocations are few next to issued certificates (a CA revokes a
/// small fraction of what it issues, and step-ca's own CRL generation loads the whole table the
/// same way), so this does not make the export's memory grow with the number of certificates.
struct RevocationIndex: Sendable {
    private(set) var entries: [String: ExportRecord.Revocation] = [:]

    init(entries: [String: ExportRecord.Revocation] = [:]) { self.entries = entries }

    static func load(from store: any KeyValueStore) async throws -> RevocationIndex {
        let collected = RevocationCollector()
        try await store.forEachIfPresent(DatabaseTables.revokedX509Certs) { key, value in
            collected.add(String(decoding: key, as: UTF8.self), parse(value))
            return true
        }
        return RevocationIndex(entries: collected.entries)
    }

    func revocation(serial: String) -> ExportRecord.Revocation? { entries[serial] }

    /// step-ca's JSON with Go field names: `ReasonCode`, `Reason`, `RevokedAt`. An unreadable
    /// value still marks the certificate revoked, with the details left empty.
    static func parse(_ value: [UInt8]) -> ExportRecord.Revocation {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else {
            return ExportRecord.Revocation()
        }
        let reason = (object["Reason"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let revokedAt = (object["RevokedAt"] as? String).flatMap(ExportTime.parse)
            .flatMap { $0.timeIntervalSince1970 <= -62_135_596_800 ? nil : $0 }  // Go's zero time
        let code = (object["ReasonCode"] as? Int) ?? (object["ReasonCode"] as? Double).map { Int($0) }
        return ExportRecord.Revocation(reasonCode: code, reason: reason, revokedAt: revokedAt)
    }
}

/// Collects entries on the listing thread; read only after the listing has returned.
private final class RevocationCollector: @unchecked Sendable {
    var entries: [String: ExportRecord.Revocation] = [:]
    func add(_ serial: String, _ revocation: ExportRecord.Revocation) { entries[serial] = revocation }
}
