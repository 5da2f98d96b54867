import Foundation
import X509

/// How step-ca records certificates, revocations and used tokens (reference §7.4).
enum CertificateRecords {
    /// The provisioner recorded with a certificate in `x509_certs_data`.
    struct ProvisionerInfo: Sendable, Equatable {
        var id: String
        var name: String
        var type: String
    }

    /// `x509_certs_data` value: `{"provisioner":{"id","name","type"}}`.
    static func certificateData(_ provisioner: ProvisionerInfo) -> [UInt8] {
        let json = OrderedJSON.object([("provisioner", .object([
            ("id", .string(provisioner.id)),
            ("name", .string(provisioner.name)),
            ("type", .string(provisioner.type)),
        ]))])
        return Array(json.compact().utf8)
    }

    /// The operations that store a new certificate, its data and (when given) consume a
    /// one-time token — all in one transaction, so no certificate is answered unless its record
    /// and the token's use are durable together.
    /// `insertOnly` refuses (conflict) a serial that is already stored, for serials that were
    /// chosen rather than random (a template's `serialNumber`).
    static func issuance(serial: String, der: [UInt8], provisioner: ProvisionerInfo,
                         usedToken: (key: String, token: String)?, insertOnly: Bool = false) -> [KVOperation] {
        var operations: [KVOperation] = []
        if let usedToken {
            operations.append(.compareAndSwap(table: DatabaseTables.usedOTT, key: Array(usedToken.key.utf8), old: [],
                                              new: Array(usedToken.token.utf8), abortOnMismatch: true))
        }
        if insertOnly {
            operations.append(.compareAndSwap(table: DatabaseTables.x509Certs, key: Array(serial.utf8), old: [], new: der, abortOnMismatch: true))
        } else {
            operations.append(.set(table: DatabaseTables.x509Certs, key: Array(serial.utf8), value: der))
        }
        operations.append(.set(table: DatabaseTables.x509CertsData, key: Array(serial.utf8), value: certificateData(provisioner)))
        return operations
    }

    /// The `revoked_x509_certs` value, with Go's field names and time format.
    static func revocation(serial: String, provisionerID: String, reasonCode: Int, reason: String, revokedAt: Date,
                           expiresAt: Date?, tokenID: String, mTLS: Bool) -> [UInt8] {
        let json = OrderedJSON.object([
            ("Serial", .string(serial)),
            ("ProvisionerID", .string(provisionerID)),
            ("ReasonCode", .number(String(reasonCode))),
            ("Reason", .string(reason)),
            ("RevokedAt", .string(GoTime.format(revokedAt))),
            ("ExpiresAt", .string(expiresAt.map(GoTime.format) ?? "0001-01-01T00:00:00Z")),
            ("TokenID", .string(tokenID)),
            ("MTLS", .bool(mTLS)),
            ("ACME", .bool(false)),
        ])
        return Array(json.compact().utf8)
    }
}

/// Go's `time.Time` JSON form: RFC 3339 with nanoseconds when non-zero, in UTC.
enum GoTime {
    /// Go's `%v` of a UTC time: `2006-01-02 15:04:05 +0000 UTC` (fraction when non-zero).
    static func display(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var text = formatter.string(from: date)
        let seconds = floor(date.timeIntervalSince1970)
        let nanos = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded())
        if nanos > 0 {
            var fraction = String(format: "%09d", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + " +0000 UTC"
    }

    static func format(_ date: Date) -> String {
        let seconds = floor(date.timeIntervalSince1970)
        let nanos = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded())
        var text = UTCClock.iso8601(seconds: Int(seconds))
        if nanos > 0 {
            var fraction = String(nanos)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }
}

/// UTC calendar fields without Foundation formatters (which are slow to create on Linux).
enum UTCClock {
    /// `2006-01-02T15:04:05` for seconds since 1970.
    static func iso8601(seconds: Int) -> String {
        var time = time_t(seconds)
        var fields = tm()
        gmtime_r(&time, &fields)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(fields.tm_year + 1900)-\(two(fields.tm_mon + 1))-\(two(fields.tm_mday))T\(two(fields.tm_hour)):\(two(fields.tm_min)):\(two(fields.tm_sec))"
    }
}
