import Foundation

/// One revoked certificate as it goes into the CRL.
struct CRLEntry: Sendable, Equatable {
    /// The serial number's DER INTEGER content (big-endian, minimal, non-negative).
    var serial: [UInt8]
    /// The revocation time, whole seconds since 1970.
    var revokedAt: Int64
    /// RFC 5280 CRLReason; 0 (unspecified) is written without a reasonCode extension.
    var reasonCode: Int
}

/// Reads `revoked_x509_certs` (reference §7.4) and picks the rows a CRL lists (reference §8):
/// every row except those whose recorded certificate expiry is more than an hour in the past;
/// rows with a zero (unknown) expiry are kept for ever.
enum RevokedEntries {
    /// How long after its expiry a revoked certificate is still listed.
    static let expiredGrace: Int64 = 3600

    private struct Row: Decodable {
        var Serial: String?
        var ReasonCode: Int?
        var RevokedAt: String?
        var ExpiresAt: String?
    }

    /// The CRL entries for the rows of `revoked_x509_certs`, at `now` (seconds since 1970).
    static func entries(_ rows: [(key: [UInt8], value: [UInt8])], now: Int64) throws -> [CRLEntry] {
        var entries: [CRLEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows {
            if let entry = try entry(key: row.key, value: row.value, now: now) { entries.append(entry) }
        }
        return entries
    }

    /// One row's entry, or nil when the certificate expired more than an hour before `now`.
    static func entry(key: [UInt8], value: [UInt8], now: Int64) throws -> CRLEntry? {
        let name = String(decoding: key, as: UTF8.self)
        func corrupt(_ why: String) -> CRLError {
            CRLError(.corruptRecord, "table \"\(DatabaseTables.revokedX509Certs)\" key \"\(name)\": \(why)")
        }
        guard let row = try? JSONDecoder().decode(Row.self, from: Data(value)) else {
            throw corrupt("not a revocation record")
        }
        if let text = row.ExpiresAt {
            guard let expires = CRLTime.parseRFC3339(text) else { throw corrupt("ExpiresAt \"\(text)\" is not an RFC 3339 time") }
            let isZero = expires.seconds == CRLTime.goZeroSeconds && expires.nanoseconds == 0
            if !isZero && expires.seconds < now - expiredGrace { return nil }
        }
        let serialText = row.Serial.flatMap { $0.isEmpty ? nil : $0 } ?? name
        guard let serial = integerBytes(decimal: serialText) else { throw corrupt("Serial \"\(serialText)\" is not a decimal number") }
        var revokedAt = CRLTime.goZeroSeconds
        if let text = row.RevokedAt {
            guard let parsed = CRLTime.parseRFC3339(text) else { throw corrupt("RevokedAt \"\(text)\" is not an RFC 3339 time") }
            revokedAt = parsed.seconds
        }
        return CRLEntry(serial: serial, revokedAt: revokedAt, reasonCode: row.ReasonCode ?? 0)
    }

    /// The DER INTEGER content of a non-negative decimal number: big-endian, no redundant
    /// leading zero byte, a zero byte added when the top bit is set.
    static func integerBytes(decimal text: String) -> [UInt8]? {
        guard !text.isEmpty else { return nil }
        var value: [UInt8] = [0]
        for character in text.utf8 {
            guard character >= 48 && character <= 57 else { return nil }
            var carry = Int(character - 48)
            for index in value.indices.reversed() {
                let product = Int(value[index]) * 10 + carry
                value[index] = UInt8(product & 0xff)
                carry = product >> 8
            }
            while carry > 0 {
                value.insert(UInt8(carry & 0xff), at: 0)
                carry >>= 8
            }
        }
        while value.count > 1 && value[0] == 0 && value[1] & 0x80 == 0 { value.removeFirst() }
        if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
        return value
    }
}
