import Foundation

/// RFC 3339 times for the export: parsing the filter options (unlike the API's `RFC3339`, also a
/// bare date, and without creating Foundation formatters), formatting certificate times.
enum ExportTime {
    /// Parses `2025-01-02T03:04:05Z`, with optional fractional seconds and a `Z` or `±hh:mm`
    /// offset (`t`, `z` and a space for `T` are accepted as RFC 3339 allows); also a bare
    /// `2025-01-02`, read as midnight UTC. Nil for anything else.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var seconds = secondsSinceEpoch(year: year, month: month, day: day)
        if index == bytes.count { return Date(timeIntervalSince1970: Double(seconds)) }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
              hour < 24, minute < 60, second <= 60 else { return nil }
        seconds += hour * 3600 + minute * 60 + second
        var fraction = 0.0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        if expect("Zz") {
            guard index == bytes.count else { return nil }
        } else {
            guard index < bytes.count else { return nil }
            let sign = bytes[index] == UInt8(ascii: "-") ? 1 : -1
            guard expect("+-"), let offsetHours = number(2), expect(":"), let offsetMinutes = number(2),
                  offsetHours < 24, offsetMinutes < 60, index == bytes.count else { return nil }
            seconds += sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `2025-01-02T03:04:05Z` (UTC, whole seconds, as certificate times are).
    static func format(_ date: Date) -> String {
        UTCClock.iso8601(seconds: Int(floor(date.timeIntervalSince1970))) + "Z"
    }

    private static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days-from-civil (proleptic Gregorian), in seconds.
    private static func secondsSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400
    }
}
