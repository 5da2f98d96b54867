import Foundation

/// Go's `time` layouts ("2006-01-02T15:04:05Z07:00") for formatting and parsing, in UTC or a
/// fixed offset. Time zones by IANA name are resolved with Foundation's `TimeZone`.
enum GoTime {
    static let rfc3339 = "2006-01-02T15:04:05Z07:00"
    static let rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00"

    /// Go's named layouts (`toTimeLayout` accepts them with or without the `time.` prefix).
    static let layouts: [String: String] = [
        "Layout": "01/02 03:04:05PM '06 -0700",
        "ANSIC": "Mon Jan _2 15:04:05 2006",
        "UnixDate": "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate": "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822": "02 Jan 06 15:04 MST",
        "RFC822Z": "02 Jan 06 15:04 -0700",
        "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339": rfc3339,
        "RFC3339Nano": rfc3339Nano,
        "Kitchen": "3:04PM",
        "Stamp": "Jan _2 15:04:05",
        "StampMilli": "Jan _2 15:04:05.000",
        "StampMicro": "Jan _2 15:04:05.000000",
        "StampNano": "Jan _2 15:04:05.000000000",
        "DateTime": "2006-01-02 15:04:05",
        "DateOnly": "2006-01-02",
        "TimeOnly": "15:04:05",
    ]

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Proleptic Gregorian civil date from days since 1970-01-01 (as Go's time package counts).
    static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year y0: Int, month m: Int, day d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private enum Chunk {
        case literal(String)
        case year4, year2, month, zeroMonth, monthName, monthShort, day, zeroDay, underDay, yearDay
        case weekday, weekdayShort, hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond
        case pm, lowerPM, tzName, iso(colon: Bool, z: Bool, short: Bool), frac(digits: Int, trim: Bool)
    }

    private static func chunks(_ layout: String) -> [Chunk] {
        let l = Array(layout)
        var out: [Chunk] = []
        var lit = ""
        var i = 0
        func has(_ s: String) -> Bool {
            let a = Array(s)
            return i + a.count <= l.count && Array(l[i..<(i + a.count)]) == a
        }
        func push(_ c: Chunk, _ n: Int) {
            if !lit.isEmpty { out.append(.literal(lit)); lit = "" }
            out.append(c); i += n
        }
        while i < l.count {
            if has("January") { push(.monthName, 7) }
            else if has("Jan") { push(.monthShort, 3) }
            else if has("Monday") { push(.weekday, 6) }
            else if has("Mon") { push(.weekdayShort, 3) }
            else if has("MST") { push(.tzName, 3) }
            else if has("2006") { push(.year4, 4) }
            else if has("002") { push(.yearDay, 3) }
            else if has("01") { push(.zeroMonth, 2) }
            else if has("02") { push(.zeroDay, 2) }
            else if has("03") { push(.zeroHour12, 2) }
            else if has("04") { push(.zeroMinute, 2) }
            else if has("05") { push(.zeroSecond, 2) }
            else if has("06") { push(.year2, 2) }
            else if has("15") { push(.hour, 2) }
            else if has("_2") { push(.underDay, 2) }
            else if has("Z07:00") { push(.iso(colon: true, z: true, short: false), 6) }
            else if has("Z0700") { push(.iso(colon: false, z: true, short: false), 5) }
            else if has("Z07") { push(.iso(colon: false, z: true, short: true), 3) }
            else if has("-07:00") { push(.iso(colon: true, z: false, short: false), 6) }
            else if has("-0700") { push(.iso(colon: false, z: false, short: false), 5) }
            else if has("-07") { push(.iso(colon: false, z: false, short: true), 3) }
            else if has("PM") { push(.pm, 2) }
            else if has("pm") { push(.lowerPM, 2) }
            else if (l[i] == "." || l[i] == ","), i + 1 < l.count, l[i + 1] == "0" || l[i + 1] == "9" {
                let ch = l[i + 1]
                var j = i + 1
                while j < l.count && l[j] == ch { j += 1 }
                if j < l.count && l[j].isNumber { lit.append(l[i]); i += 1; continue }
                push(.frac(digits: j - i - 1, trim: ch == "9"), j - i)
            }
            else if l[i] == "1" { push(.month, 1) }
            else if l[i] == "2" { push(.day, 1) }
            else if l[i] == "3" { push(.hour12, 1) }
            else if l[i] == "4" { push(.minute, 1) }
            else if l[i] == "5" { push(.second, 1) }
            else { lit.append(l[i]); i += 1 }
        }
        if !lit.isEmpty { out.append(.literal(lit)) }
        return out
    }

    private static func pad(_ v: Int, _ n: Int, _ c: Character = "0") -> String {
        let s = String(v)
        return s.count >= n ? s : String(repeating: c, count: n - s.count) + s
    }

    /// `time.Time.Format(layout)` in UTC.
    static func format(_ date: Date, layout: String) -> String {
        var t = date.timeIntervalSince1970
        // Years beyond ±100000 are out of this formatter's range: clamp instead of trapping.
        if !t.isFinite { t = 0 }
        t = min(max(t, -3.2e15), 3.2e15)
        let secs = Int(t.rounded(.down))
        let dayNumber = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let secOfDay = secs - dayNumber * 86400
        let (year, month, day) = civil(fromDays: dayNumber)
        let (hour, minute, second) = (secOfDay / 3600, secOfDay / 60 % 60, secOfDay % 60)
        let weekdayIndex = ((dayNumber % 7) + 11) % 7 // 1970-01-01 was a Thursday
        var nanos = Int(((t - t.rounded(.down)) * 1e9).rounded())
        if nanos >= 1_000_000_000 { nanos = 999_999_999 }
        var out = ""
        for ch in chunks(layout) {
            switch ch {
            case .literal(let s): out += s
            case .year4: out += pad(year, 4)
            case .year2: out += pad(year % 100, 2)
            case .month: out += String(month)
            case .zeroMonth: out += pad(month, 2)
            case .monthName: out += monthNames[month - 1]
            case .monthShort: out += String(monthNames[month - 1].prefix(3))
            case .day: out += String(day)
            case .zeroDay: out += pad(day, 2)
            case .underDay: out += pad(day, 2, " ")
            case .yearDay: out += pad(dayNumber - days(year: year, month: 1, day: 1) + 1, 3)
            case .weekday: out += dayNames[weekdayIndex]
            case .weekdayShort: out += String(dayNames[weekdayIndex].prefix(3))
            case .hour: out += pad(hour, 2)
            case .hour12: out += String(hour % 12 == 0 ? 12 : hour % 12)
            case .zeroHour12: out += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case .minute: out += String(minute)
            case .zeroMinute: out += pad(minute, 2)
            case .second: out += String(second)
            case .zeroSecond: out += pad(second, 2)
            case .pm: out += hour >= 12 ? "PM" : "AM"
            case .lowerPM: out += hour >= 12 ? "pm" : "am"
            case .tzName: out += "UTC"
            case .iso(let colon, let z, let short):
                if z { out += "Z" } else { out += short ? "+00" : (colon ? "+00:00" : "+0000") }
            case .frac(let digits, let trim):
                var f = pad(nanos, 9)
                f = String(f.prefix(digits))
                if trim {
                    while f.hasSuffix("0") { f.removeLast() }
                    if !f.isEmpty { out += "." + f }
                } else {
                    out += "." + f
                }
            }
        }
        return out
    }

    /// Go's `time.Time.String()` for a UTC time.
    static func goString(_ date: Date) -> String {
        format(date, layout: "2006-01-02 15:04:05.999999999 -0700 MST")
    }

    struct ParseError: Error { var message: String }

    /// `time.Parse(layout, value)` (or `ParseInLocation` with `zone`): numeric fields, month and
    /// day names, fractions, numeric offsets, `Z` and `UTC`/`GMT` zone names.
    static func parse(layout: String, _ value: String, zone: TimeZone? = nil) throws -> Date {
        let v = Array(value)
        var i = 0
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
        var pm: Bool? = nil
        var offset: Int? = nil
        let bad = ParseError(message: "parsing time \(GoFormat.quote(value)) as \(GoFormat.quote(layout)): cannot parse")
        func num(_ minLen: Int, _ maxLen: Int) throws -> Int {
            var j = i
            while j < v.count && j - i < maxLen && v[j].isASCII && v[j].isNumber { j += 1 }
            guard j - i >= minLen, let n = Int(String(v[i..<j])) else { throw bad }
            i = j
            return n
        }
        func word(_ options: [String]) throws -> Int {
            for (k, o) in options.enumerated() {
                let a = Array(o)
                if i + a.count <= v.count && String(v[i..<(i + a.count)]).lowercased() == o.lowercased() { i += a.count; return k }
            }
            throw bad
        }
        for ch in chunks(layout) {
            switch ch {
            case .literal(let s):
                for c in s {
                    guard i < v.count, v[i] == c else { throw bad }
                    i += 1
                }
            case .year4: year = try num(4, 4)
            case .year2: let y = try num(2, 2); year = y >= 69 ? 1900 + y : 2000 + y
            case .month: month = try num(1, 2)
            case .zeroMonth: month = try num(2, 2)
            case .monthName: month = try word(monthNames) + 1
            case .monthShort: month = try word(monthNames.map { String($0.prefix(3)) }) + 1
            case .day, .zeroDay: day = try num(1, 2)
            case .underDay: if i < v.count && v[i] == " " { i += 1 }; day = try num(1, 2)
            case .yearDay: _ = try num(3, 3)
            case .weekday: _ = try word(dayNames)
            case .weekdayShort: _ = try word(dayNames.map { String($0.prefix(3)) })
            case .hour, .hour12, .zeroHour12: hour = try num(1, 2)
            case .minute, .zeroMinute: minute = try num(1, 2)
            case .second, .zeroSecond:
                second = try num(1, 2)
                // A fraction after seconds is accepted even if the layout has none.
                if i < v.count, v[i] == ".", i + 1 < v.count, v[i + 1].isNumber {
                    i += 1
                    let start = i
                    let f = try num(1, 9)
                    nanos = f * Int(pow(10.0, Double(9 - (i - start))))
                    while i < v.count && v[i].isNumber { i += 1 }
                }
            case .pm, .lowerPM: pm = try word(["AM", "PM"]) == 1
            case .tzName:
                let start = i
                while i < v.count && v[i].isLetter { i += 1 }
                let name = String(v[start..<i])
                if name == "UTC" || name == "GMT" { offset = 0 } else if name.count < 3 { throw bad }
            case .iso(let colon, let z, let short):
                if z && i < v.count && v[i] == "Z" { i += 1; offset = 0; break }
                guard i < v.count, v[i] == "+" || v[i] == "-" else { throw bad }
                let sign = v[i] == "-" ? -1 : 1
                i += 1
                let h = try num(2, 2)
                var m = 0
                if !short {
                    if colon { guard i < v.count, v[i] == ":" else { throw bad }; i += 1 }
                    m = try num(2, 2)
                }
                offset = sign * (h * 3600 + m * 60)
            case .frac(let digits, let trim):
                if trim {
                    if i < v.count && v[i] == "." {
                        i += 1
                        let start = i
                        let f = try num(1, 9)
                        nanos = f * Int(pow(10.0, Double(9 - (i - start))))
                    }
                } else {
                    guard i < v.count, v[i] == "." else { throw bad }
                    i += 1
                    let start = i
                    let f = try num(digits, digits)
                    nanos = f * Int(pow(10.0, Double(9 - (i - start))))
                }
            }
        }
        guard i == v.count else {
            throw ParseError(message: "parsing time \(GoFormat.quote(value)): extra text: \(GoFormat.quote(String(v[i...])))")
        }
        if let pm { if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 } }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else {
            throw ParseError(message: "parsing time \(GoFormat.quote(value)): value out of range")
        }
        let local = Double(days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second)
        let seconds: Double
        if let offset {
            seconds = local - Double(offset)
        } else if let zone {
            let guess = Date(timeIntervalSince1970: local)
            seconds = local - Double(zone.secondsFromGMT(for: guess.addingTimeInterval(-Double(zone.secondsFromGMT(for: guess)))))
        } else {
            seconds = local
        }
        let d = Date(timeIntervalSince1970: seconds)
        return d.addingTimeInterval(Double(nanos) / 1e9)
    }
}

