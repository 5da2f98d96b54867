import Foundation

/// sprig's string functions (argument order as sprig defines it: the subject last).
enum SprigStrings {
    typealias S = Args

    static func title(_ s: String) -> String {
        var out = ""
        var prevSep = true
        for ch in s {
            let isSep: Bool
            if ch.isASCII {
                isSep = !(ch.isLetter || ch.isNumber || ch == "_")
            } else {
                isSep = ch.isWhitespace
            }
            out += prevSep ? ch.uppercased() : String(ch)
            prevSep = isSep
        }
        return out
    }

    static func trimSet(_ s: String, _ cutset: String) -> String {
        let set = Set(cutset.unicodeScalars)
        var u = Substring(s).unicodeScalars
        while let f = u.first, set.contains(f) { u.removeFirst() }
        while let l = u.last, set.contains(l) { u.removeLast() }
        return String(u)
    }

    static func regex(_ pattern: String) throws -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) }
        catch { throw TemplateFunctionError("regexp: Compile(\(GoFormat.quote(pattern))): error parsing regexp") }
    }

    static func nsRange(_ s: String) -> NSRange { NSRange(s.startIndex..<s.endIndex, in: s) }

    static func goTemplateToNS(_ repl: String) -> String {
        // Go's ${1} / ${name} expansion becomes $1; a literal backslash must be escaped for ICU.
        var r = repl.replacingOccurrences(of: "\\", with: "\\\\")
        if let re = try? NSRegularExpression(pattern: "\\$\\{([0-9]+)\\}") {
            r = re.stringByReplacingMatches(in: r, range: nsRange(r), withTemplate: "\\$$1")
        }
        return r
    }

    static let functions: [String: FunctionSpec] = [
        "hasPrefix": FunctionSpec(2, 2) { .bool(try S.string($0[1]).hasPrefix(try S.string($0[0]))) },
        "hasSuffix": FunctionSpec(2, 2) { .bool(try S.string($0[1]).hasSuffix(try S.string($0[0]))) },
        "contains": FunctionSpec(2, 2) { a in
            let sub = try S.string(a[0]), s = try S.string(a[1])
            return .bool(sub.isEmpty || s.contains(sub))
        },
        "lower": FunctionSpec(1, 1) { .string(try S.string($0[0]).lowercased()) },
        "upper": FunctionSpec(1, 1) { .string(try S.string($0[0]).uppercased()) },
        "title": FunctionSpec(1, 1) { .string(title(try S.string($0[0]))) },
        "trim": FunctionSpec(1, 1) { .string(try S.string($0[0]).trimmingCharacters(in: .whitespacesAndNewlines)) },
        "trimAll": FunctionSpec(2, 2) { .string(trimSet(try S.string($0[1]), try S.string($0[0]))) },
        "trimPrefix": FunctionSpec(2, 2) { a in
            let p = try S.string(a[0]), s = try S.string(a[1])
            return .string(s.hasPrefix(p) ? String(s.dropFirst(p.count)) : s)
        },
        "trimSuffix": FunctionSpec(2, 2) { a in
            let p = try S.string(a[0]), s = try S.string(a[1])
            return .string(s.hasSuffix(p) ? String(s.dropLast(p.count)) : s)
        },
        "replace": FunctionSpec(3, 3) { a in
            let old = try S.string(a[0]), new = try S.string(a[1]), s = try S.string(a[2])
            if old.isEmpty {
                // strings.Replace with an empty old inserts new around every rune.
                return .string(new + s.map { String($0) + new }.joined())
            }
            return .string(s.replacingOccurrences(of: old, with: new))
        },
        "repeat": FunctionSpec(2, 2) { a in
            let n = try S.int(a[0]), s = try S.string(a[1])
            guard n >= 0 else { throw TemplateFunctionError("strings: negative Repeat count") }
            guard n.multipliedReportingOverflow(by: max(1, s.utf8.count)).overflow == false, n * s.utf8.count < 64 << 20 else {
                throw TemplateFunctionError("strings: Repeat output length overflow")
            }
            return .string(String(repeating: s, count: n))
        },
        "substr": FunctionSpec(3, 3) { a in
            let start = try S.int(a[0]), end = try S.int(a[1])
            let b = Array(try S.string(a[2]).utf8)
            if start < 0 {
                guard end >= 0, end <= b.count else { throw TemplateFunctionError("runtime error: slice bounds out of range [:\(end)] with length \(b.count)") }
                return .string(String(decoding: b[..<end], as: UTF8.self))
            }
            if end < 0 || end > b.count {
                guard start <= b.count else { throw TemplateFunctionError("runtime error: slice bounds out of range [\(start):\(b.count)]") }
                return .string(String(decoding: b[start...], as: UTF8.self))
            }
            guard start <= end else { throw TemplateFunctionError("runtime error: slice bounds out of range [\(start):\(end)]") }
            return .string(String(decoding: b[start..<end], as: UTF8.self))
        },
        "trunc": FunctionSpec(2, 2) { a in
            let n = try S.int(a[0]), s = try S.string(a[1])
            let b = Array(s.utf8)
            if n < 0 && b.count + n > 0 { return .string(String(decoding: b[(b.count + n)...], as: UTF8.self)) }
            if n >= 0 && b.count > n { return .string(String(decoding: b[..<n], as: UTF8.self)) }
            return .string(s)
        },
        "nospace": FunctionSpec(1, 1) { .string(String(try S.string($0[0]).filter { !$0.isWhitespace })) },
        "split": FunctionSpec(2, 2) { a in
            let parts = goSplit(try S.string(a[1]), try S.string(a[0]))
            var m: [String: TemplateValue] = [:]
            for (i, p) in parts.enumerated() { m["_\(i)"] = .string(p) }
            return .dict(m)
        },
        "splitList": FunctionSpec(2, 2) { a in
            .array(goSplit(try S.string(a[1]), try S.string(a[0])).map { .string($0) })
        },
        "join": FunctionSpec(2, 2) { a in .string(S.strslice(a[1]).joined(separator: try S.string(a[0]))) },
        "quote": FunctionSpec(0, nil) { a in
            .string(a.compactMap { v -> String? in if case .nil = v { return nil }; return GoFormat.quote(S.strval(v)) }.joined(separator: " "))
        },
        "squote": FunctionSpec(0, nil) { a in
            .string(a.compactMap { v -> String? in if case .nil = v { return nil }; return "'" + S.strval(v) + "'" }.joined(separator: " "))
        },
        "cat": FunctionSpec(0, nil) { a in
            .string(a.filter { !$0.isNilValue }.map { GoFormat.v($0) }.joined(separator: " "))
        },
        "indent": FunctionSpec(2, 2) { a in
            let pad = String(repeating: " ", count: try padCount(a[0]))
            return .string(pad + (try S.string(a[1])).replacingOccurrences(of: "\n", with: "\n" + pad))
        },
        "nindent": FunctionSpec(2, 2) { a in
            let pad = String(repeating: " ", count: try padCount(a[0]))
            return .string("\n" + pad + (try S.string(a[1])).replacingOccurrences(of: "\n", with: "\n" + pad))
        },
        "toString": FunctionSpec(1, 1) { .string(S.strval($0[0])) },
        "toStrings": FunctionSpec(1, 1) { .array(S.strslice($0[0]).map { .string($0) }) },
        "regexMatch": FunctionSpec(2, 2) { a in
            let s = try S.string(a[1])
            guard let re = try? regex(try S.string(a[0])) else { return .bool(false) }
            return .bool(re.firstMatch(in: s, range: nsRange(s)) != nil)
        },
        "mustRegexMatch": FunctionSpec(2, 2) { a in
            let s = try S.string(a[1])
            return .bool(try regex(try S.string(a[0])).firstMatch(in: s, range: nsRange(s)) != nil)
        },
        "regexFind": FunctionSpec(2, 2) { a in
            let s = try S.string(a[1])
            guard let m = try regex(try S.string(a[0])).firstMatch(in: s, range: nsRange(s)), let r = Range(m.range, in: s) else { return .string("") }
            return .string(String(s[r]))
        },
        "regexFindAll": FunctionSpec(3, 3) { a in
            let s = try S.string(a[1])
            let n = try S.int(a[2])
            var all = try regex(try S.string(a[0])).matches(in: s, range: nsRange(s)).compactMap { Range($0.range, in: s).map { TemplateValue.string(String(s[$0])) } }
            if n >= 0 && all.count > n { all = Array(all.prefix(n)) }
            return .array(all)
        },
        "regexReplaceAll": FunctionSpec(3, 3) { a in
            let s = try S.string(a[1])
            return .string(try regex(try S.string(a[0])).stringByReplacingMatches(in: s, range: nsRange(s), withTemplate: goTemplateToNS(try S.string(a[2]))))
        },
        "regexReplaceAllLiteral": FunctionSpec(3, 3) { a in
            let s = try S.string(a[1])
            let repl = NSRegularExpression.escapedTemplate(for: try S.string(a[2]))
            return .string(try regex(try S.string(a[0])).stringByReplacingMatches(in: s, range: nsRange(s), withTemplate: repl))
        },
        "regexSplit": FunctionSpec(3, 3) { a in
            let s = try S.string(a[1])
            let n = try S.int(a[2])
            let matches = try regex(try S.string(a[0])).matches(in: s, range: nsRange(s))
            var parts: [TemplateValue] = []
            var last = s.startIndex
            for m in matches {
                if n > 0 && parts.count == n - 1 { break }
                guard let r = Range(m.range, in: s) else { continue }
                parts.append(.string(String(s[last..<r.lowerBound])))
                last = r.upperBound
            }
            if n != 0 { parts.append(.string(String(s[last...]))) }
            return .array(parts)
        },
        "b64enc": FunctionSpec(1, 1) { .string(Data(try S.string($0[0]).utf8).base64EncodedString()) },
        "b64dec": FunctionSpec(1, 1) { a in
            let s = try S.string(a[0])
            guard s.count % 4 == 0, let d = Data(base64Encoded: s) else {
                let bad = s.unicodeScalars.firstIndex { !($0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "+" || $0 == "/" || $0 == "=") }
                let pos = bad.map { s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: $0) } ?? (s.utf8.count / 4) * 4
                return .string("illegal base64 data at input byte \(pos)")
            }
            return .string(String(decoding: d, as: UTF8.self))
        },
        "sha256sum": FunctionSpec(1, 1) { a in
            .string(SHA256Digest.hash(Array(try S.string(a[0]).utf8)).map { GoFormat.hex(UInt64($0), 2) }.joined())
        },
        "uuidv4": FunctionSpec(0, 0) { _ in .string(UUID().uuidString.lowercased()) },
    ]

    static func padCount(_ v: TemplateValue) throws -> Int {
        let n = try S.int(v)
        guard n <= 1 << 20 else { throw TemplateFunctionError("indent: width too large") }
        return max(0, n)
    }

    /// Go's `strings.Split`: an empty separator splits into UTF-8 sequences.
    static func goSplit(_ s: String, _ sep: String) -> [String] {
        if sep.isEmpty { return s.unicodeScalars.map { String($0) } }
        return s.components(separatedBy: sep)
    }
}
