extension GoDuration {
    /// Parses a duration the way Go's `time.ParseDuration` does.
    ///
    /// A duration is an optionally signed sequence of decimal numbers, each with
    /// an optional fraction and a unit: `"300ms"`, `"-1.5h"`, `"2h45m"`. Units are
    /// `ns`, `us` (or `µs`/`μs`), `ms`, `s`, `m`, `h`. `"0"` alone needs no unit.
    public init(parsing text: String) throws(GoDurationError) {
        self = try GoDurationParser.parse(text)
    }
}

/// A literal port of Go's `time.ParseDuration` (bytewise, unsigned accumulation,
/// float64 for fractions so that results match to the nanosecond).
private enum GoDurationParser {
    private static let limit: UInt64 = 1 << 63

    private static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,  // MICRO SIGN
        "\u{03BC}s": 1_000,  // GREEK SMALL LETTER MU
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func parse(_ input: String) throws(GoDurationError) -> GoDuration {
        func failure(_ code: GoDurationError.Code, unit: String? = nil) -> GoDurationError {
            GoDurationError(code: code, input: input, unit: unit)
        }
        var rest = Array(input.utf8)[...]
        var total: UInt64 = 0
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        if rest.elementsEqual([UInt8(ascii: "0")]) { return .zero }
        if rest.isEmpty { throw failure(.invalidSyntax) }

        while let first = rest.first {
            guard first == UInt8(ascii: ".") || isDigit(first) else { throw failure(.invalidSyntax) }

            // [0-9]*
            var whole: UInt64 = 0
            var consumedWhole = false
            while let byte = rest.first, isDigit(byte) {
                if whole > limit / 10 { throw failure(.outOfRange) }
                whole = whole * 10 + UInt64(byte - UInt8(ascii: "0"))
                if whole > limit { throw failure(.outOfRange) }
                rest = rest.dropFirst()
                consumedWhole = true
            }

            // (\.[0-9]*)?
            var fraction: UInt64 = 0
            var scale: Double = 1
            var consumedFraction = false
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                var overflow = false
                while let byte = rest.first, isDigit(byte) {
                    rest = rest.dropFirst()
                    consumedFraction = true
                    if overflow { continue }
                    if fraction > (limit - 1) / 10 {
                        overflow = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if next > limit {
                        overflow = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
            }
            if !consumedWhole && !consumedFraction { throw failure(.invalidSyntax) }

            // The unit runs up to the next '.' or digit.
            let unitEnd = rest.firstIndex { $0 == UInt8(ascii: ".") || isDigit($0) } ?? rest.endIndex
            if unitEnd == rest.startIndex { throw failure(.missingUnit) }
            let unitText = String(decoding: rest[rest.startIndex..<unitEnd], as: UTF8.self)
            rest = rest[unitEnd...]
            guard let unit = units[unitText] else { throw failure(.unknownUnit, unit: unitText) }

            if whole > limit / unit { throw failure(.outOfRange) }
            var value = whole * unit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(unit) / scale))
                if value > limit { throw failure(.outOfRange) }
            }
            let (sum, overflowed) = total.addingReportingOverflow(value)
            if overflowed || sum > limit { throw failure(.outOfRange) }
            total = sum
        }
        if negative {
            return GoDuration(nanoseconds: total == limit ? Int64.min : -Int64(total))
        }
        if total > UInt64(Int64.max) { throw failure(.outOfRange) }
        return GoDuration(nanoseconds: Int64(total))
    }
}
