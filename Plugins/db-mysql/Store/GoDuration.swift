/// Go's `time.ParseDuration` syntax, as the Go MySQL driver reads `timeout`, `readTimeout` and
/// `writeTimeout`: an optional sign, then one or more decimal numbers each with a unit
/// (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `5s`, `1m30s`, `500ms`, `1.5h`; or `0`.
enum GoDuration {
    /// Nanoseconds per unit, as in Go's `unitMap`.
    private static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]

    /// Parses `text` into nanoseconds, or returns nil when it is not a Go duration.
    static func nanoseconds(_ text: String) -> Int64? {
        var scalars = Substring(text).unicodeScalars[...]
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        if String(scalars) == "0" { return 0 }
        guard !scalars.isEmpty else { return nil }
        var total = 0.0
        while !scalars.isEmpty {
            let integer = scalars.prefix(while: isDigit)
            scalars = scalars.dropFirst(integer.count)
            var fraction = Substring.UnicodeScalarView()[...]
            if scalars.first == "." {
                scalars = scalars.dropFirst()
                fraction = scalars.prefix(while: isDigit)
                scalars = scalars.dropFirst(fraction.count)
            }
            guard !integer.isEmpty || !fraction.isEmpty else { return nil }
            let unit = scalars.prefix { !isDigit($0) && $0 != "." }
            scalars = scalars.dropFirst(unit.count)
            guard let scale = units[String(unit)] else { return nil }
            let number = Double((integer.isEmpty ? "0" : String(integer)) + "." + (fraction.isEmpty ? "0" : String(fraction))) ?? .nan
            guard number.isFinite else { return nil }
            total += number * scale
            guard total < 9.223372036854775e18 else { return nil }  // Go: "invalid duration" on overflow
        }
        let value = Int64(total.rounded(.towardZero))
        return negative ? -value : value
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    /// Whole seconds for libmariadb's timeout options, rounding any fraction up (500ms → 1 s).
    static func ceilingSeconds(_ nanoseconds: Int64) -> UInt32 {
        guard nanoseconds > 0 else { return 0 }
        let seconds = (nanoseconds + 999_999_999) / 1_000_000_000
        return UInt32(clamping: seconds)
    }
}
