import StepConfig
import Testing

@Suite("Go durations")
struct GoDurationTests {
    static let nanosecond: Int64 = 1
    static let microsecond: Int64 = 1_000
    static let millisecond: Int64 = 1_000_000
    static let second: Int64 = 1_000_000_000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute

    /// Inputs and results of Go's time.ParseDuration.
    static let valid: [(String, Int64)] = [
        ("0", 0),
        ("-0", 0),
        ("+0", 0),
        ("5s", 5 * second),
        ("30s", 30 * second),
        ("1478s", 1478 * second),
        ("-5s", -5 * second),
        ("+5s", 5 * second),
        ("-0s", 0),
        ("5.0s", 5 * second),
        ("5.6s", 5 * second + 600 * millisecond),
        ("5.s", 5 * second),
        (".5s", 500 * millisecond),
        ("1.004s", 1 * second + 4 * millisecond),
        ("100.00100s", 100 * second + 1 * millisecond),
        ("10ns", 10 * nanosecond),
        ("11us", 11 * microsecond),
        ("12\u{00B5}s", 12 * microsecond),
        ("12\u{03BC}s", 12 * microsecond),
        ("13ms", 13 * millisecond),
        ("15m", 15 * minute),
        ("16h", 16 * hour),
        ("1680h", 1680 * hour),
        ("1.5h", 90 * minute),
        ("-1.5h", -90 * minute),
        ("-2m", -2 * minute),
        ("300ms", 300 * millisecond),
        ("2h45m", 2 * hour + 45 * minute),
        ("3h30m", 3 * hour + 30 * minute),
        ("10.5s4m", 4 * minute + 10 * second + 500 * millisecond),
        ("-2m3.4s", -(2 * minute + 3 * second + 400 * millisecond)),
        ("1h2m3.5s", hour + 2 * minute + 3 * second + 500 * millisecond),
        ("1h2m3s4ms5us6ns", hour + 2 * minute + 3 * second + 4 * millisecond + 5 * microsecond + 6),
        ("39h9m14.425s", 39 * hour + 9 * minute + 14 * second + 425 * millisecond),
        ("52763797000ns", 52_763_797_000),
        ("0.3333333333333333333h", 20 * minute),
        ("9007199254740993ns", 9_007_199_254_740_993),
        ("9223372036854775807ns", Int64.max),
        ("9223372036854775.807us", Int64.max),
        ("9223372036854ms775us807ns", Int64.max),
        ("-9223372036854775808ns", Int64.min),
        ("0.100000000000000000000h", 6 * minute),
        ("0.830103483285477580700h", 49 * minute + 48 * second + 372_539_827),
    ]

    @Test("parses like time.ParseDuration", arguments: valid)
    func parses(input: String, nanoseconds: Int64) throws {
        #expect(try GoDuration(parsing: input).nanoseconds == nanoseconds)
    }

    /// Inputs Go rejects, with the kind of rejection and the unit it names.
    static let invalid: [(String, GoDurationError.Code, String?)] = [
        ("", .invalidSyntax, nil),
        ("3", .missingUnit, nil),
        ("0.5", .missingUnit, nil),
        ("5h3", .missingUnit, nil),
        ("-", .invalidSyntax, nil),
        ("s", .invalidSyntax, nil),
        (".", .invalidSyntax, nil),
        ("-.", .invalidSyntax, nil),
        (".s", .invalidSyntax, nil),
        ("+.s", .invalidSyntax, nil),
        ("1x", .unknownUnit, "x"),
        ("1d", .unknownUnit, "d"),
        ("1h 2m", .unknownUnit, "h "),
        ("5S", .unknownUnit, "S"),
        ("1sec", .unknownUnit, "sec"),
        (" 1s", .invalidSyntax, nil),
        ("3000000h", .outOfRange, nil),
        ("9223372036854775808ns", .outOfRange, nil),
        ("9223372036854775.808us", .outOfRange, nil),
        ("9223372036854ms775us808ns", .outOfRange, nil),
        ("-9223372036854775809ns", .outOfRange, nil),
    ]

    @Test("rejects what time.ParseDuration rejects", arguments: invalid)
    func rejects(input: String, code: GoDurationError.Code, unit: String?) {
        #expect(throws: GoDurationError(code: code, input: input, unit: unit)) {
            try GoDuration(parsing: input)
        }
    }

    @Test("error messages name the input and the reason")
    func errorMessages() {
        #expect(GoDurationError(code: .unknownUnit, input: "1x", unit: "x").description
                == #"invalid duration "1x": unknown unit "x""#)
        #expect(GoDurationError(code: .missingUnit, input: "3").description == #"invalid duration "3": missing unit"#)
        #expect(GoDuration("1y") == nil)
    }

    /// Values and the text of Go's Duration.String.
    static let formatted: [(Int64, String)] = [
        (0, "0s"),
        (1, "1ns"),
        (-1, "-1ns"),
        (1_100, "1.1\u{00B5}s"),
        (microsecond, "1\u{00B5}s"),
        (2_200_000, "2.2ms"),
        (300 * millisecond, "300ms"),
        (999_999_999, "999.999999ms"),
        (3_300_000_000, "3.3s"),
        (minute, "1m0s"),
        (-2 * minute, "-2m0s"),
        (4 * minute + 5 * second, "4m5s"),
        (4 * minute + 5 * second + millisecond, "4m5.001s"),
        (5 * hour + 6 * minute + 7 * second + millisecond, "5h6m7.001s"),
        (8 * minute + 1, "8m0.000000001s"),
        (hour + 2 * minute + 3 * second + 500 * millisecond, "1h2m3.5s"),
        (90 * minute, "1h30m0s"),
        (24 * hour, "24h0m0s"),
        (1680 * hour, "1680h0m0s"),
        (Int64.max, "2562047h47m16.854775807s"),
        (Int64.min, "-2562047h47m16.854775808s"),
    ]

    @Test("formats like Duration.String", arguments: formatted)
    func formats(nanoseconds: Int64, text: String) throws {
        let duration = GoDuration(nanoseconds: nanoseconds)
        #expect(duration.description == text)
        #expect(try GoDuration(parsing: text) == duration)
    }

    @Test("helpers and ordering")
    func helpers() {
        #expect(GoDuration.hours(24) == GoDuration(nanoseconds: 24 * Self.hour))
        #expect(GoDuration.minutes(5) < GoDuration.hours(1))
        #expect(GoDuration.seconds(90).timeInterval == 90)
        #expect(GoDuration.milliseconds(1500).swiftDuration == .milliseconds(1500))
    }
}
