/// The audiences the CA accepts for each purpose (reference §2.1): for every `dnsNames` entry
/// `https://<name>/1.0/<path>` and `https://<name>/<path>`, plus the legacy
/// `step-certificate-authority` for sign and revoke. Ports are ignored when comparing; hosts
/// are compared byte for byte.
enum TokenPurpose: Sendable, CaseIterable {
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

/// One purpose's expected audiences and their port-stripped forms, computed once per authority
/// rather than on every request.
struct AudienceSet: Sendable {
    let expected: [String]
    private let exact: Set<String>
    private let stripped: Set<String>

    init(purpose: TokenPurpose, dnsNames: [String]) {
        expected = Audiences.expected(for: purpose, dnsNames: dnsNames)
        exact = Set(expected)
        stripped = Set(expected.map(Audiences.withoutPort))
    }

    /// ``Audiences/matchesAny(_:_:)`` against these audiences.
    func matchesAny(_ audiences: [String]) -> Bool {
        audiences.contains { exact.contains($0) || stripped.contains(Audiences.withoutPort($0)) }
    }
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
    /// Works on the UTF-8 bytes: it runs for every token.
    static func withoutPort(_ url: String) -> String {
        let bytes = Array(url.utf8)
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        guard let schemeEnd = (0..<max(0, bytes.count - 2)).first(where: {
            bytes[$0] == colon && bytes[$0 + 1] == slash && bytes[$0 + 2] == slash
        }) else { return url }
        let authorityStart = schemeEnd + 3
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, bytes[authorityEnd] != slash, bytes[authorityEnd] != UInt8(ascii: "?"),
              bytes[authorityEnd] != UInt8(ascii: "#") {
            authorityEnd += 1
        }
        let authority = bytes[authorityStart..<authorityEnd]
        var hostEnd = authorityEnd
        if authority.first == UInt8(ascii: "[") {
            if let close = authority.firstIndex(of: UInt8(ascii: "]")) { hostEnd = close + 1 }
        } else if let portColon = authority.lastIndex(of: colon),
                  authority[(portColon + 1)...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            hostEnd = portColon
        }
        guard hostEnd != authorityEnd else { return url }
        return String(decoding: bytes[..<hostEnd] + bytes[authorityEnd...], as: UTF8.self)
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
