import Foundation

/// The functions step (go.step.sm/crypto templates) adds to sprig: `fail`, `toTime`,
/// `formatTime`, `parseTime`, `mustParseTime`, `toTimeLayout`.
enum StepFunctions {
    typealias S = Args

    /// `toTime`: time values, Unix seconds (int or JSON float64 with fraction), RFC 3339 strings
    /// (zero time when unparsable); anything else (nil) is now. Always UTC.
    static func toTime(_ v: TemplateValue) -> Date {
        switch v {
        case .time(let d): return d
        case .int(let i): return Date(timeIntervalSince1970: Double(i))
        case .double(let d):
            let sec = d.rounded(.towardZero)
            let nanos = ((d - sec) * 1e9).rounded(.towardZero)
            return Date(timeIntervalSince1970: sec + nanos / 1e9)
        case .string(let s): return (try? GoTime.parse(layout: GoTime.rfc3339, s)) ?? GoTime.zero
        default: return Date()
        }
    }

    /// `toTimeLayout`: a Go layout constant name (case-insensitive, optional `time.` prefix) to
    /// its layout; other text is returned as a layout.
    static func toTimeLayout(_ name: String) -> String {
        var n = name
        if n.hasPrefix("time.") { n.removeFirst(5) }
        let key = n.uppercased()
        for (k, v) in GoTime.layouts where k.uppercased() == key { return v }
        return name
    }

    static func mustParseTime(_ a: [TemplateValue]) throws -> Date {
        let s = try a.map { try S.string($0) }
        do {
            switch s.count {
            case 0: return Date()
            case 1: return try GoTime.parse(layout: GoTime.rfc3339, s[0])
            case 2: return try GoTime.parse(layout: toTimeLayout(s[0]), s[1])
            case 3:
                guard let zone = TimeZone(identifier: s[2]) else { throw TemplateFunctionError("unknown time zone \(s[2])") }
                return try GoTime.parse(layout: toTimeLayout(s[0]), s[1], zone: zone)
            default: throw TemplateFunctionError("unsupported number of parameters")
            }
        } catch let e as GoTime.ParseError {
            throw TemplateFunctionError(e.message)
        }
    }

    static let all: [String: FunctionSpec] = [
        "toTime": FunctionSpec(1, 1) { .time(toTime($0[0])) },
        "formatTime": FunctionSpec(1, 1) { .string(GoTime.format(toTime($0[0]), layout: GoTime.rfc3339)) },
        "toTimeLayout": FunctionSpec(1, 1) { .string(toTimeLayout(try S.string($0[0]))) },
        "parseTime": FunctionSpec(0, nil) { a in
            do { return .time(try mustParseTime(a)) } catch let e as TemplateFunctionError where !e.isArgument { return .time(GoTime.zero) }
        },
        "mustParseTime": FunctionSpec(0, nil) { .time(try mustParseTime($0)) },
    ]
}
