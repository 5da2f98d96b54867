/// sprig's list and dict functions. Lists are `[]interface{}` values; dicts are shared maps
/// (`set` changes the dict in place and returns it, as in Go).
enum SprigCollections {
    typealias S = Args

    static func listArg(_ v: TemplateValue, _ fn: String) throws -> [TemplateValue] {
        switch v {
        case .array(let a): return a
        case .nil: return []
        default: throw TemplateFunctionError("Cannot \(fn) on type \(v.goTypeName)")
        }
    }

    static let functions: [String: FunctionSpec] = [
        "list": FunctionSpec(0, nil) { .array($0) },
        "tuple": FunctionSpec(0, nil) { .array($0) },
        "append": FunctionSpec(2, 2) { a in .array(try S.list(a[0], "push") + [a[1]]) },
        "push": FunctionSpec(2, 2) { a in .array(try S.list(a[0], "push") + [a[1]]) },
        "mustAppend": FunctionSpec(2, 2) { a in .array(try S.list(a[0], "push") + [a[1]]) },
        "mustPush": FunctionSpec(2, 2) { a in .array(try S.list(a[0], "push") + [a[1]]) },
        "prepend": FunctionSpec(2, 2) { a in .array([a[1]] + (try S.list(a[0], "prepend"))) },
        "first": FunctionSpec(1, 1) { a in (try listArg(a[0], "find first")).first ?? .nil },
        "last": FunctionSpec(1, 1) { a in (try listArg(a[0], "find last")).last ?? .nil },
        "rest": FunctionSpec(1, 1) { a in let l = try listArg(a[0], "find rest"); return l.isEmpty ? .nil : .array(Array(l.dropFirst())) },
        "initial": FunctionSpec(1, 1) { a in let l = try listArg(a[0], "find initial"); return l.isEmpty ? .nil : .array(Array(l.dropLast())) },
        "reverse": FunctionSpec(1, 1) { a in .array((try listArg(a[0], "reverse")).reversed()) },
        "compact": FunctionSpec(1, 1) { a in .array((try listArg(a[0], "compact")).filter { $0.isTrue }) },
        "uniq": FunctionSpec(1, 1) { a in
            var out: [TemplateValue] = []
            for v in try listArg(a[0], "uniq") where !out.contains(where: { S.deepEqual($0, v) }) { out.append(v) }
            return .array(out)
        },
        "without": FunctionSpec(1, nil) { a in
            let omit = Array(a.dropFirst())
            return .array((try listArg(a[0], "find without")).filter { v in !omit.contains { S.deepEqual($0, v) } })
        },
        "has": FunctionSpec(2, 2) { a in
            guard case .array(let l) = a[1] else {
                if case .nil = a[1] { return .bool(false) }
                throw TemplateFunctionError("Cannot find has on type \(a[1].goTypeName)")
            }
            return .bool(l.contains { S.deepEqual($0, a[0]) })
        },
        "concat": FunctionSpec(0, nil) { a in
            var out: [TemplateValue] = []
            for l in a {
                guard case .array(let x) = l else { throw TemplateFunctionError("Cannot concat type \(l.goTypeName) as list") }
                out += x
            }
            return .array(out)
        },
        "sortAlpha": FunctionSpec(1, 1) { a in
            .array(S.strslice(a[0]).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { .string($0) })
        },
        "until": FunctionSpec(1, 1) { a in
            let n = try S.int(a[0])
            guard n.magnitude <= 1_000_000 else { throw TemplateFunctionError("until: count too large") }
            return .array(n >= 0 ? (0..<n).map { .int($0) } : stride(from: 0, to: n, by: -1).map { .int($0) })
        },
        "dict": FunctionSpec(0, nil) { a in
            var m: [String: TemplateValue] = [:]
            var i = 0
            while i < a.count {
                let k = S.strval(a[i])
                m[k] = i + 1 < a.count ? a[i + 1] : .string("")
                i += 2
            }
            return .dict(m)
        },
        "set": FunctionSpec(3, 3) { a in
            let m = try S.map(a[0])
            m.entries[try S.string(a[1])] = a[2]
            return .map(m)
        },
        "unset": FunctionSpec(2, 2) { a in
            let m = try S.map(a[0])
            m.entries[try S.string(a[1])] = nil
            return .map(m)
        },
        "get": FunctionSpec(2, 2) { a in (try S.map(a[0])).entries[try S.string(a[1])] ?? .string("") },
        "hasKey": FunctionSpec(2, 2) { a in .bool((try S.map(a[0])).entries[try S.string(a[1])] != nil) },
        "keys": FunctionSpec(0, nil) { a in
            .array(try a.flatMap { try S.map($0).sortedKeys.map { TemplateValue.string($0) } })
        },
        "values": FunctionSpec(1, 1) { a in let m = try S.map(a[0]); return .array(m.sortedKeys.map { m.entries[$0]! }) },
        "pluck": FunctionSpec(1, nil) { a in
            let k = try S.string(a[0])
            return .array(try a.dropFirst().compactMap { try S.map($0).entries[k] })
        },
        "pick": FunctionSpec(1, nil) { a in
            let m = try S.map(a[0])
            var out: [String: TemplateValue] = [:]
            for k in a.dropFirst() { let key = try S.string(k); if let v = m.entries[key] { out[key] = v } }
            return .dict(out)
        },
        "omit": FunctionSpec(1, nil) { a in
            let m = try S.map(a[0])
            let drop = Set(try a.dropFirst().map { try S.string($0) })
            return .dict(m.entries.filter { !drop.contains($0.key) })
        },
        "merge": FunctionSpec(1, nil) { a in
            let dst = try S.map(a[0])
            for src in a.dropFirst() {
                for (k, v) in try S.map(src).entries where dst.entries[k] == nil || dst.entries[k]!.isNilValue { dst.entries[k] = v }
            }
            return .map(dst)
        },
    ]
}
