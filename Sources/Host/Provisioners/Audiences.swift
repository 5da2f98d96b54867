/// The audiences the CA accepts for each purpose (reference §2.1): for every `dnsNames` entry
/// `https://<name>/1.0/<path>` and `https://<name>/<path>`, plus the legacy
/// `step-certificate-authority` for sign and revoke. Ports are ignored when comparing; hosts
/// are compared byte for byte.
enum TokenPurpose: Sendable {
    case sign, renew, revoke, sshSign, sshRevoke, sshRenew, sshRekey

    var paths: [String] {
        switch self {
        case .sign, .sshSign: return ["sign", "ssh/sign"]
        case .renew: return ["renew"]
        case .revoke: return ["revoke"]
        case .sshRevoke: return ["ssh/revoke"]
        case .sshRenew: return ["ssh/renew"]
        case .sshRekey: return ["ssh/rekey"]
        }
    }

    var acceptsLegacyAudience: Bool { self == .sign || self == .revoke || self == .sshSign }
}

enum Audiences {
    static func expected(for purpose: TokenPurpose, dnsNames: [String]) -> [String] {
        var result: [String] = []
        for name in dnsNames {
            let host = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
            for path in purpose.paths {
                result.append("https://\(host)/1.0/\(path)")
                result.append("https://\(host)/\(path)")
            }
        }
        if purpose.acceptsLegacyAudience { result.append("step-certificate-authority") }
        return result
    }

    /// Whether a token audience equals an expected one, exactly or with the port stripped from both.
    static func matches(_ audience: String, _ expected: String) -> Bool {
        audience == expected || withoutPort(audience) == withoutPort(expected)
    }

    /// Whether any of the token's audiences matches any expected one (``matches(_:_:)``), with
    /// each side's port stripped once rather than once per comparison.
    static func matchesAny(_ audiences: [String], _ expected: [String]) -> Bool {
        let strippedExpected = Set(expected.map(withoutPort))
        return audiences.contains { audience in
            strippedExpected.contains(withoutPort(audience)) || expected.contains(audience)
        }
    }

    /// `https://host:9443/path#frag` → `https://host/path#frag` (IPv6 literals kept bracketed).
    static func withoutPort(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        var host = authority
        if authority.hasPrefix("[") {
            if let close = authority.firstIndex(of: "]") { host = authority[...close] }
        } else if let colon = authority.lastIndex(of: ":"), authority[authority.index(after: colon)...].allSatisfy(\.isNumber) {
            host = authority[..<colon]
        }
        return String(url[..<schemeEnd.upperBound]) + host + afterScheme[authorityEnd...]
    }

    /// The fragment of the first audience that has one.
    static func fragment(_ audiences: [String]) -> String? {
        for audience in audiences {
            if let hash = audience.firstIndex(of: "#") {
                let fragment = audience[audience.index(after: hash)...]
                if !fragment.isEmpty { return String(fragment) }
            }
        }
        return nil
    }
}
