import NamePolicy
import Testing

/// What a check must answer: allowed, or refused with a code and step-ca's exact message.
enum Outcome: Sendable, Equatable, CustomStringConvertible {
    case allowed
    case refused(NamePolicyViolation.Code, String)

    /// Refused as a policy decision (403 in the API).
    static func denied(_ message: String) -> Outcome { .refused(.notAllowed, message) }

    var description: String {
        switch self {
        case .allowed: return "allowed"
        case .refused(let code, let message): return "\(code): \(message)"
        }
    }

    /// Records an issue unless `violation` is this outcome.
    func verify(_ violation: NamePolicyViolation?, _ label: String) {
        switch self {
        case .allowed:
            #expect(violation == nil, "\(label): expected allowed, got \(violation.map { "\($0.code): \($0.message)" } ?? "")")
        case .refused(let code, let message):
            guard let violation else {
                Issue.record("\(label): expected \(code) \(message), got allowed")
                return
            }
            #expect(violation.code == code, "\(label)")
            #expect(violation.message == message, "\(label)")
            #expect(violation.isForbidden == (code == .notAllowed), "\(label)")
            if let type = violation.nameType, code != .unexpectedPrincipal {
                #expect(message.contains("\(type.rawValue) "), "\(label): type \(type) not in \(message)")
            }
        }
    }
}

/// X.509 rule lists, written compactly in the tables.
func L(cn: [String] = [], dns: [String] = [], ip: [String] = [], email: [String] = [], uri: [String] = []) -> X509NameLists {
    X509NameLists(commonNames: cn, dnsDomains: dns, ipRanges: ip, emailAddresses: email, uriDomains: uri)
}

/// SSH rule lists, written compactly in the tables.
func S(dns: [String] = [], ip: [String] = [], email: [String] = [], principal: [String] = []) -> SSHNameLists {
    SSHNameLists(dnsDomains: dns, ipRanges: ip, emailAddresses: email, principals: principal)
}

/// One X.509 case: rules, the certificate's names, the expected outcome.
struct X509Case: Sendable, CustomTestStringConvertible {
    let label: String
    let allow: X509NameLists
    let deny: X509NameLists
    let wildcards: Bool
    let cn: String?
    let dns: [String]
    let ips: [String]
    let emails: [String]
    let uris: [String]
    let outcome: Outcome

    init(_ label: String, allow: X509NameLists = L(), deny: X509NameLists = L(), wildcards: Bool = false,
         cn: String? = nil, dns: [String] = [], ips: [String] = [], emails: [String] = [], uris: [String] = [],
         _ outcome: Outcome) {
        self.label = label
        self.allow = allow
        self.deny = deny
        self.wildcards = wildcards
        self.cn = cn
        self.dns = dns
        self.ips = ips
        self.emails = emails
        self.uris = uris
        self.outcome = outcome
    }

    var testDescription: String { label }
}

/// One SSH case: user and host rules, the certificate type and principals, the expected outcome.
struct SSHCase: Sendable, CustomTestStringConvertible {
    let label: String
    let user: SSHNameRuleSet?
    let host: SSHNameRuleSet?
    let kind: SSHCertificateKind
    let principals: [String]
    let outcome: Outcome

    init(_ label: String, user: SSHNameRuleSet? = nil, host: SSHNameRuleSet? = nil, _ kind: SSHCertificateKind,
         _ principals: [String], _ outcome: Outcome) {
        self.label = label
        self.user = user
        self.host = host
        self.kind = kind
        self.principals = principals
        self.outcome = outcome
    }

    var testDescription: String { label }
}
