import Foundation
import SwiftASN1

/// The time formats the CRL code reads and writes: Go's JSON times (RFC 3339 with optional
/// fraction and offset), ASN.1 `Time` as Go's encoding/asn1 writes it, and Go's RFC 1123.
enum CRLTime {
    /// Go's zero `time.Time` (0001-01-01T00:00:00Z) in seconds since 1970.
    static let goZeroSeconds: Int64 = -62_135_596_800

    /// Parses a Go JSON time such as `2026-11-29T04:38:12.123456789Z` or
    /// `2026-11-29T05:38:12+01:00`. Returns nil when the text is not RFC 3339.
    static func parseRFC3339(_ text: String) -> (seconds: Int64, nanoseconds: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
              let day = number(8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2),
              bytes[16] == UInt8(ascii: ":"), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var nanoseconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
        } else {
            guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
                  let hours = number(index + 1, 2), bytes.count > index + 3, bytes[index + 3] == UInt8(ascii: ":"),
                  let minutes = number(index + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (seconds, nanoseconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// UTC calendar fields of whole seconds since 1970.
    static func fields(_ seconds: Int64) -> tm {
        var time = time_t(seconds)
        var fields = tm()
        gmtime_r(&time, &fields)
        return fields
    }

    /// Serialises `seconds` as Go's encoding/asn1 writes a `time.Time`: UTCTime for the years
    /// 1950–2049, GeneralizedTime otherwise; whole seconds, `Z`.
    static func serializeASN1(_ seconds: Int64, into coder: inout DER.Serializer) throws {
        if let utcTime = utcTime(seconds) {
            try coder.serialize(utcTime)
            return
        }
        let parts = fields(seconds)
        try coder.serialize(GeneralizedTime(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                                            hours: Int(parts.tm_hour), minutes: Int(parts.tm_min), seconds: Int(parts.tm_sec),
                                            fractionalSeconds: 0))
    }

    /// The UTCTime of `seconds` when its year is 1950–2049, else nil (RFC 5280 §4.1.2.5).
    static func utcTime(_ seconds: Int64) -> UTCTime? {
        let parts = fields(seconds)
        let year = Int(parts.tm_year) + 1900
        guard (1950..<2050).contains(year) else { return nil }
        return try? UTCTime(year: year, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                            hours: Int(parts.tm_hour), minutes: Int(parts.tm_min), seconds: Int(parts.tm_sec))
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Go's `time.RFC1123` of a UTC time: `Mon, 02 Jan 2006 15:04:05 UTC`.
    static func rfc1123(_ seconds: Int64) -> String {
        let parts = fields(seconds)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) UTC"
    }
}
