import Foundation

/// sprig's defaults, math, type, JSON and date functions.
enum SprigMisc {
    typealias S = Args

    static func int64Op(_ name: String, _ f: @escaping (Int, Int) throws -> Int) -> FunctionSpec {
        FunctionSpec(2, 2) { a in .int(try f(S.toInt64(a[0]), S.toInt64(a[1]))) }
    }

    static func date(_ v: TemplateValue) -> Date {
        switch v {
        case .time(let d): return d
        case .int(let i): return Date(timeIntervalSince1970: Double(i))
        default: return Date()
        }
    }

    static let functions: [String: FunctionSpec] = [
        "default": FunctionSpec(1, nil) { a in
            if a.count < 2 || !a[1].isTrue { return a[0] }
            return a[1]
        },
        "empty": FunctionSpec(1, 1) { .bool(!$0[0].isTrue) },
        "coalesce": FunctionSpec(0, nil) { a in a.first { $0.isTrue } ?? .nil },
        "all": FunctionSpec(0, nil) { a in .bool(a.allSatisfy { $0.isTrue }) },
        "any": FunctionSpec(0, nil) { a in .bool(a.contains { $0.isTrue }) },
        "ternary": FunctionSpec(3, 3) { a in try S.bool(a[2]) ? a[0] : a[1] },
        "fail": FunctionSpec(1, 1) { a in throw TemplateFunctionError(try S.string(a[0]), isFail: true) },

        // Math: sprig converts with cast.ToInt64 and returns int64.
        "int": FunctionSpec(1, 1) { .int(S.toInt64($0[0])) },
        "int64": FunctionSpec(1, 1) { .int(S.toInt64($0[0])) },
        "float64": FunctionSpec(1, 1) { .double(S.toFloat64($0[0])) },
        "atoi": FunctionSpec(1, 1) { a in .int(Int(try S.string(a[0])) ?? 0) },
        "add": FunctionSpec(0, nil) { a in .int(a.reduce(0) { $0 &+ S.toInt64($1) }) },
        "add1": FunctionSpec(1, 1) { .int(S.toInt64($0[0]) &+ 1) },
        "sub": int64Op("sub") { $0 &- $1 },
        "mul": FunctionSpec(1, nil) { a in .int(a.reduce(1) { $0 &* S.toInt64($1) }) },
        "div": int64Op("div") { x, y in
            guard y != 0 else { throw TemplateFunctionError("runtime error: integer divide by zero") }
            return x.dividedReportingOverflow(by: y).partialValue
        },
        "mod": int64Op("mod") { x, y in
            guard y != 0 else { throw TemplateFunctionError("runtime error: integer divide by zero") }
            return x.remainderReportingOverflow(dividingBy: y).partialValue
        },
        "max": FunctionSpec(1, nil) { a in .int(a.map { S.toInt64($0) }.max()!) },
        "min": FunctionSpec(1, nil) { a in .int(a.map { S.toInt64($0) }.min()!) },

        // Types.
        "typeOf": FunctionSpec(1, 1) { .string($0[0].goTypeName) },
        "typeIs": FunctionSpec(2, 2) { a in .bool(try S.string(a[0]) == a[1].goTypeName) },
        "typeIsLike": FunctionSpec(2, 2) { a in
            let t = try S.string(a[0]), n = a[1].goTypeName
            return .bool(t == n || "*" + t == n)
        },
        "kindOf": FunctionSpec(1, 1) { .string($0[0].goKindName) },
        "kindIs": FunctionSpec(2, 2) { a in .bool(try S.string(a[0]) == a[1].goKindName) },
        "deepEqual": FunctionSpec(2, 2) { a in .bool(S.deepEqual(a[0], a[1])) },

        // JSON: Go's encoding/json output; errors give "" as in sprig.
        "toJson": FunctionSpec(1, 1) { a in .string((try? JSONWriter.encode(a[0])) ?? "") },
        "toRawJson": FunctionSpec(1, 1) { a in .string((try? JSONWriter.encode(a[0], escapeHTML: false)) ?? "") },
        "toPrettyJson": FunctionSpec(1, 1) { a in .string((try? JSONWriter.encode(a[0], indent: "  ")) ?? "") },
        "mustToJson": FunctionSpec(1, 1) { a in
            do { return .string(try JSONWriter.encode(a[0])) } catch let e as JSONWriter.Unsupported { throw TemplateFunctionError(e.message) }
        },
        "fromJson": FunctionSpec(1, 1) { a in (try? TemplateValue(json: try S.string(a[0]))) ?? .nil },
        "mustFromJson": FunctionSpec(1, 1) { a in
            do { return try TemplateValue(json: try S.string(a[0])) } catch { throw TemplateFunctionError("\(error)") }
        },

        // Dates (UTC).
        "now": FunctionSpec(0, 0) { _ in .time(Date()) },
        "date": FunctionSpec(2, 2) { a in .string(GoTime.format(date(a[1]), layout: try S.string(a[0]))) },
        "dateInZone": FunctionSpec(3, 3) { a in .string(GoTime.format(date(a[1]), layout: try S.string(a[0]))) },
        "unixEpoch": FunctionSpec(1, 1) { a in
            let t = date(a[0]).timeIntervalSince1970
            return .string(String(Int(t.isFinite ? min(max(t, -9e18), 9e18).rounded(.down) : 0)))
        },
        "toDate": FunctionSpec(2, 2) { a in
            .time((try? GoTime.parse(layout: try S.string(a[0]), try S.string(a[1]))) ?? GoTime.zero)
        },
    ]
}

extension GoTime {
    /// Go's zero `time.Time` (0001-01-01T00:00:00Z).
    static let zero = Date(timeIntervalSince1970: -62_135_596_800)
}

/// All sprig functions (minus `env`/`expandenv`, as step-ca removes them).
enum SprigFunctions {
    static let all: [String: FunctionSpec] = {
        var m = SprigStrings.functions
        for (k, v) in SprigCollections.functions { m[k] = v }
        for (k, v) in SprigMisc.functions { m[k] = v }
        return m
    }()
}
