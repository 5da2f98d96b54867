/// A signed span of time with nanosecond resolution that parses and prints
/// exactly like Go's `time.Duration` (`"720h"`, `"1m0s"`, `"1.5h"`, `"300ms"`).
///
/// ca.json writes every duration this way; `String(describing:)` gives Go's
/// `Duration.String()` form, e.g. `GoDuration.hours(1680)` prints `1680h0m0s`.
public struct GoDuration: Hashable, Comparable, Sendable {
    /// The length in nanoseconds; negative for negative durations.
    public var nanoseconds: Int64

    /// Makes a duration from nanoseconds.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// No time at all.
    public static let zero = GoDuration(nanoseconds: 0)

    /// One nanosecond (`ns`).
    public static let nanosecond = GoDuration(nanoseconds: 1)
    /// One microsecond (`us`, `µs`).
    public static let microsecond = GoDuration(nanoseconds: 1_000)
    /// One millisecond (`ms`).
    public static let millisecond = GoDuration(nanoseconds: 1_000_000)
    /// One second (`s`).
    public static let second = GoDuration(nanoseconds: 1_000_000_000)
    /// One minute (`m`).
    public static let minute = GoDuration(nanoseconds: 60_000_000_000)
    /// One hour (`h`), the largest unit Go has.
    public static let hour = GoDuration(nanoseconds: 3_600_000_000_000)

    /// `count` milliseconds.
    public static func milliseconds(_ count: Int64) -> GoDuration { GoDuration(nanoseconds: count * 1_000_000) }
    /// `count` seconds.
    public static func seconds(_ count: Int64) -> GoDuration { GoDuration(nanoseconds: count * second.nanoseconds) }
    /// `count` minutes.
    public static func minutes(_ count: Int64) -> GoDuration { GoDuration(nanoseconds: count * minute.nanoseconds) }
    /// `count` hours.
    public static func hours(_ count: Int64) -> GoDuration { GoDuration(nanoseconds: count * hour.nanoseconds) }

    /// The length in seconds, for Foundation APIs.
    public var timeInterval: Double { Double(nanoseconds) / 1e9 }

    /// The same length as a Swift `Duration`.
    public var swiftDuration: Duration { .nanoseconds(nanoseconds) }

    /// Orders by length, negative durations first.
    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}
