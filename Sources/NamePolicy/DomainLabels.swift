/// Domain splitting and matching with step-ca's (and Go crypto/x509's) rules.
enum DomainLabels {
    /// `foo.example.com` → `["com", "example", "foo"]`; `nil` for a trailing dot, an empty label
    /// or a character outside `!`…`~`. A single leading dot is tolerated (as in Go).
    static func reversed(_ domain: String) -> [Substring]? {
        var labels: [Substring] = []
        var rest = Substring(domain)
        while !rest.isEmpty {
            if let dot = rest.lastIndex(of: ".") {
                labels.append(rest[rest.index(after: dot)...])
                rest = rest[..<dot]
            } else {
                labels.append(rest)
                rest = ""
            }
        }
        if let first = labels.first, first.isEmpty { return nil }
        for label in labels {
            if label.isEmpty { return nil }
            if label.utf8.contains(where: { $0 < 33 || $0 > 126 }) { return nil }
        }
        return labels
    }

    struct MatchFailure: Error {
        let reason: String
    }

    /// Whether `domain` matches a normalised DNS rule (`example.com`, or `.example.com` for
    /// exactly one extra label). Literal wildcard names match only when `allowWildcardNames`.
    static func match(_ domain: String, rule: String, allowWildcardNames: Bool) throws(MatchFailure) -> Bool {
        if rule.isEmpty { return true }
        if domain == " " || domain.isEmpty { return false }
        let bytes = Array(domain.utf8)
        if bytes[0] == UInt8(ascii: ".") { return false }
        if bytes[0] == UInt8(ascii: "*") && (bytes.count < 2 || bytes[1] != UInt8(ascii: ".")) { return false }
        if domain.hasPrefix("*.") && !allowWildcardNames { return false }
        if let star = bytes.lastIndex(of: UInt8(ascii: "*")), star > 0 { return false }
        if rule.contains("..") { return false }
        guard let domainLabels = reversed(domain) else {
            throw MatchFailure(reason: "cannot parse domain \(GoQuote.quote(domain))")
        }
        var constraint = Substring(rule)
        let oneMoreLabel = constraint.hasPrefix(".")
        if oneMoreLabel { constraint = constraint.dropFirst() }
        guard let ruleLabels = reversed(String(constraint)) else {
            throw MatchFailure(reason: "cannot parse domain constraint \(GoQuote.quote(String(constraint)))")
        }
        guard domainLabels.count == ruleLabels.count + (oneMoreLabel ? 1 : 0) else { return false }
        for (index, label) in ruleLabels.enumerated() where !equalFold(label, domainLabels[index]) {
            return false
        }
        return true
    }

    /// Go's `strings.EqualFold` for the ASCII names compared here (Unicode lower-casing otherwise).
    static func equalFold<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        a.lowercased() == b.lowercased()
    }
}
