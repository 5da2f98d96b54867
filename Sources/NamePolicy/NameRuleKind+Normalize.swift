import Foundation

extension NameRuleKind {
    /// Checks one rule value and returns its normalised form: trimmed and lower-cased, domains in
    /// ASCII (`xn--`), a DNS or URI wildcard `*.example.com` as `.example.com`, an email
    /// `@example.com` as `example.com`. IP rules and principals are returned unchanged (step-ca
    /// neither trims nor lower-cases them).
    public func normalize(_ value: String) throws(NameRuleProblem) -> String {
        switch self {
        case .commonName: return try Self.commonName(value)
        case .dns: return try Self.dnsDomain(value)
        case .ip:
            guard IPNetwork(rule: value) != nil else {
                throw NameRuleProblem("not an IP address or CIDR range")
            }
            return value
        case .email: return try Self.email(value)
        case .uri: return try Self.uriDomain(value)
        case .principal: return value
        }
    }

    private static func trimmedLower(_ value: String) throws(NameRuleProblem) -> String {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if text.isEmpty { throw NameRuleProblem("a rule cannot be empty or white space") }
        return text
    }

    private static func commonName(_ value: String) throws(NameRuleProblem) -> String {
        let text = try trimmedLower(value)
        if text == "*" { throw NameRuleProblem("\"*\" is not supported as a common name rule") }
        return text
    }

    /// The shape checks DNS and URI rules share: no empty label, `*` only as a whole leading label.
    private static func wildcardShape(_ text: String) throws(NameRuleProblem) -> String {
        if text.contains("..") { throw NameRuleProblem("empty label") }
        if text.hasPrefix(".") { throw NameRuleProblem("a wildcard rule is written \"*.domain\", not \".domain\"") }
        if let star = text.lastIndex(of: "*"), star > text.startIndex {
            throw NameRuleProblem("wildcard only as the leading label")
        }
        if text.hasPrefix("*") && !text.hasPrefix("*.") && text != "*" {
            throw NameRuleProblem("wildcard only as the leading label")
        }
        if text == "*" { throw NameRuleProblem("\"*\" alone is not a domain; use \"*.domain\" for one label below a domain") }
        return text.hasPrefix("*.") ? String(text.dropFirst()) : text
    }

    private static func asciiDomain(_ text: String, profile: IDNA.Profile) throws(NameRuleProblem) -> String {
        switch IDNA.toASCII(text, profile: profile) {
        case .failure(let failure): throw NameRuleProblem("not a valid domain name: \(failure.reason)")
        case .success(let ascii):
            if ascii.hasSuffix(".") { throw NameRuleProblem("a domain rule cannot end with a period") }
            guard DomainLabels.reversed(ascii) != nil else { throw NameRuleProblem("not a valid domain name") }
            return ascii
        }
    }

    private static func dnsDomain(_ value: String) throws(NameRuleProblem) -> String {
        let text = try wildcardShape(try trimmedLower(value))
        return try asciiDomain(text, profile: .lookup)
    }

    private static func email(_ value: String) throws(NameRuleProblem) -> String {
        var text = try trimmedLower(value)
        if text.contains("*") { throw NameRuleProblem("email rules cannot contain \"*\"; use \"@domain\" for every mailbox at a domain") }
        if text.filter({ $0 == "@" }).count > 1 { throw NameRuleProblem("more than one \"@\"") }
        if text.hasPrefix("@") { text.removeFirst() }
        if text.isEmpty { throw NameRuleProblem("the domain after \"@\" is missing") }
        if text.hasPrefix(".") { throw NameRuleProblem("an email rule cannot start with a period") }
        if text.contains("@") {
            guard let mailbox = Mailbox(text) else { throw NameRuleProblem("not an RFC 2821 mailbox") }
            return mailbox.local + "@" + (try asciiDomain(mailbox.domain, profile: .lookup))
        }
        return try asciiDomain(text, profile: .lookup)
    }

    private static func uriDomain(_ value: String) throws(NameRuleProblem) -> String {
        let lowered = try trimmedLower(value)
        if lowered.contains("://") { throw NameRuleProblem("URI rules are host patterns; remove the scheme") }
        let text = try wildcardShape(lowered)
        if text.contains("[") || text.contains("]") { throw NameRuleProblem("square brackets are not allowed") }
        if HostPortSplit.host(of: text) != nil { throw NameRuleProblem("URI rules cannot contain a port") }
        if IPAddress(text) != nil { throw NameRuleProblem("URI rules cannot be an IP address") }
        return try asciiDomain(text, profile: .lookup)
    }
}
