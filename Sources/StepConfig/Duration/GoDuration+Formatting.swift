extension GoDuration: CustomStringConvertible {
    /// Go's `Duration.String()`: `"72h3m0.5s"`, `"1m0s"`, `"1.5ms"`, `"0s"`.
    ///
    /// Durations under a second use the largest of ns, µs, ms that keeps an
    /// integer part; longer ones are written in h, m and s with the seconds
    /// carrying any fraction, trailing zeros dropped.
    public var description: String {
        var magnitude = nanoseconds.magnitude
        var output: [UInt8] = []  // built backwards

        if magnitude < 1_000_000_000 {
            let precision: Int
            output.append(UInt8(ascii: "s"))
            switch magnitude {
            case 0:
                return "0s"
            case ..<1_000:
                precision = 0
                output.append(UInt8(ascii: "n"))
            case ..<1_000_000:
                precision = 3
                output.append(contentsOf: Array("\u{00B5}".utf8).reversed())
            default:
                precision = 6
                output.append(UInt8(ascii: "m"))
            }
            magnitude = Self.appendFraction(&output, magnitude, precision: precision)
            Self.appendInteger(&output, magnitude)
        } else {
            output.append(UInt8(ascii: "s"))
            magnitude = Self.appendFraction(&output, magnitude, precision: 9)
            Self.appendInteger(&output, magnitude % 60)
            magnitude /= 60
            if magnitude > 0 {
                output.append(UInt8(ascii: "m"))
                Self.appendInteger(&output, magnitude % 60)
                magnitude /= 60
                if magnitude > 0 {
                    output.append(UInt8(ascii: "h"))
                    Self.appendInteger(&output, magnitude)
                }
            }
        }
        if nanoseconds < 0 { output.append(UInt8(ascii: "-")) }
        return String(decoding: output.reversed(), as: UTF8.self)
    }

    /// Appends (backwards) the fraction of `value / 10^precision` without
    /// trailing zeros, and the point if any digit was written; returns the
    /// integer part.
    private static func appendFraction(_ output: inout [UInt8], _ value: UInt64, precision: Int) -> UInt64 {
        var value = value
        var printing = false
        for _ in 0..<precision {
            let digit = value % 10
            printing = printing || digit != 0
            if printing { output.append(UInt8(ascii: "0") + UInt8(digit)) }
            value /= 10
        }
        if printing { output.append(UInt8(ascii: ".")) }
        return value
    }

    /// Appends (backwards) the decimal digits of `value`.
    private static func appendInteger(_ output: inout [UInt8], _ value: UInt64) {
        var value = value
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(value % 10))
            value /= 10
        } while value > 0
    }
}

extension GoDuration: LosslessStringConvertible {
    /// Parses a Go duration string; `nil` when it is not one.
    public init?(_ description: String) {
        guard let value = try? GoDuration(parsing: description) else { return nil }
        self = value
    }
}
