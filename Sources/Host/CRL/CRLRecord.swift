import Foundation

/// The `x509_crl` record under key `crl` (reference §7.4), in step-ca's JSON:
/// `{"Number":int,"ExpiresAt":time,"Duration":<int64 ns>,"DER":<base64>}`.
struct CRLRecord: Sendable, Equatable {
    static let table = DatabaseTables.x509CRL
    static let key = Array("crl".utf8)

    /// The CRL number (the first CRL is 0).
    var number: Int64
    /// nextUpdate, whole seconds since 1970.
    var expiresAt: Int64
    /// The CRL lifetime in nanoseconds (Go's `time.Duration`).
    var durationNanoseconds: Int64
    /// The signed CRL.
    var der: [UInt8]

    /// The record as step-ca writes it (Go's encoding/json, struct field order).
    func encoded() -> [UInt8] {
        let json = OrderedJSON.object([
            ("Number", .number(String(number))),
            ("ExpiresAt", .string(GoTime.format(Date(timeIntervalSince1970: TimeInterval(expiresAt))))),
            ("Duration", .number(String(durationNanoseconds))),
            ("DER", .string(Data(der).base64EncodedString())),
        ])
        return Array(json.compact().utf8)
    }

    private struct Stored: Decodable {
        var Number: Int64?
        var ExpiresAt: String?
        var Duration: Int64?
        var DER: String?
    }

    /// Reads a stored record (written by step-ca or by us).
    static func decode(_ bytes: [UInt8]) throws -> CRLRecord {
        func corrupt(_ why: String) -> CRLError {
            CRLError(.corruptRecord, "table \"\(table)\" key \"crl\": \(why)")
        }
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(bytes)) else {
            throw corrupt("not a CRL record (expected {\"Number\",\"ExpiresAt\",\"Duration\",\"DER\"})")
        }
        var expiresAt = CRLTime.goZeroSeconds
        if let text = stored.ExpiresAt {
            guard let parsed = CRLTime.parseRFC3339(text) else { throw corrupt("ExpiresAt \"\(text)\" is not an RFC 3339 time") }
            expiresAt = parsed.seconds
        }
        var der: [UInt8] = []
        if let text = stored.DER {
            guard let data = Data(base64Encoded: text) else { throw corrupt("DER is not base64") }
            der = Array(data)
        }
        return CRLRecord(number: stored.Number ?? 0, expiresAt: expiresAt, durationNanoseconds: stored.Duration ?? 0, der: der)
    }
}
