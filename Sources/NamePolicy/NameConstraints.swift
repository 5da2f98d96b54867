/// The compiled rules of one policy engine (the X.509 engine, or the SSH user or host engine)
/// and step-ca's evaluation of names against them.
struct NameConstraints: Sendable {
    struct Lists: Sendable {
        var commonNames: [String] = []
        var dnsDomains: [String] = []
        var ipRanges: [IPNetwork] = []
        var emailAddresses: [String] = []
        var uriDomains: [String] = []
        var principals: [String] = []

        var count: Int {
            commonNames.count + dnsDomains.count + ipRanges.count + emailAddresses.count + uriDomains.count + principals.count
        }
    }

    var permitted = Lists()
    var excluded = Lists()
    var allowWildcardNames = false

    var hasConstraints: Bool { permitted.count + excluded.count > 0 }

    /// Adds validated rule values of one kind; throws on the first unusable one.
    mutating func add(_ values: [String], kind: NameRuleKind, excluded isExcluded: Bool,
                      scope: String) throws(NameRuleError) {
        var normalized: [String] = []
        var networks: [IPNetwork] = []
        for (index, value) in values.enumerated() {
            do {
                let form = try kind.normalize(value)
                if kind == .ip, let network = IPNetwork(rule: form) { networks.append(network) } else { normalized.append(form) }
            } catch {
                throw NameRuleError(scope: scope, kind: kind, index: index, value: value, reason: error.reason)
            }
        }
        func update(_ lists: inout Lists) {
            switch kind {
            case .commonName: lists.commonNames += normalized
            case .dns: lists.dnsDomains += normalized
            case .ip: lists.ipRanges += networks
            case .email: lists.emailAddresses += normalized
            case .uri: lists.uriDomains += normalized
            case .principal: lists.principals += normalized
            }
        }
        if isExcluded { update(&excluded) } else { update(&permitted) }
    }

    private func hasRules(for type: NameType) -> Bool {
        switch type {
        case .cn: return permitted.commonNames.count + excluded.commonNames.count > 0
        case .dns: return permitted.dnsDomains.count + excluded.dnsDomains.count > 0
        case .ip: return permitted.ipRanges.count + excluded.ipRanges.count > 0
        case .email: return permitted.emailAddresses.count + excluded.emailAddresses.count > 0
        case .uri: return permitted.uriDomains.count + excluded.uriDomains.count > 0
        case .principal: return permitted.principals.count + excluded.principals.count > 0
        }
    }

    /// With any allow rule at all, a name whose type has no rules is refused.
    private func unlisted(_ type: NameType, _ name: String) -> NamePolicyViolation? {
        guard !hasRules(for: type), permitted.count > 0 else { return nil }
        let word = type == .principal ? "username principal" : type.rawValue
        return .make(.notAllowed, type, name, detail: "\(word) \(GoQuote.quote(name)) is not explicitly permitted by any constraint")
    }

    /// Deny rules first, then (when there are any) the allow rules must match.
    private func check<Name, Rule>(_ type: NameType, _ name: String, _ parsed: Name,
                                   permitted: [Rule], excluded: [Rule], describe: (Rule) -> String,
                                   match: (Name, Rule) throws(DomainLabels.MatchFailure) -> Bool) -> NamePolicyViolation? {
        for rule in excluded {
            do {
                if try match(parsed, rule) {
                    return .make(.notAllowed, type, name, detail: "\(type.rawValue) \(GoQuote.quote(name)) is excluded by constraint \(GoQuote.quote(describe(rule)))")
                }
            } catch {
                return .make(.cannotMatchNameToConstraint, type, name, detail: error.reason)
            }
        }
        if permitted.isEmpty { return nil }
        for rule in permitted {
            do {
                if try match(parsed, rule) { return nil }
            } catch {
                return .make(.cannotMatchNameToConstraint, type, name, detail: error.reason)
            }
        }
        return .make(.notAllowed, type, name, detail: "\(type.rawValue) \(GoQuote.quote(name)) is not permitted by any constraint")
    }

    /// step-ca's `validateNames`: DNS names, then IPs, emails, URIs and principals; the first refusal wins.
    func validate(dnsNames: [String] = [], ipAddresses: [IPAddress] = [], emailAddresses: [String] = [],
                  uris: [URIName] = [], principals: [String] = []) -> NamePolicyViolation? {
        guard hasConstraints else { return nil }
        for dns in dnsNames {
            if let violation = unlisted(.dns, dns) { return violation }
            let wildcard = dns.hasPrefix("*.")
            guard case .success(let ascii) = IDNA.toASCII(wildcard ? String(dns.dropFirst()) : dns, profile: .lookup) else {
                return .make(.cannotParseDomain, .dns, dns, detail: "dns \(GoQuote.quote(dns)) cannot be converted to ASCII")
            }
            let parsed = wildcard ? "*" + ascii : ascii
            guard !parsed.isEmpty, DomainLabels.reversed(parsed) != nil else {
                return .make(.cannotParseDomain, .dns, dns, detail: "cannot parse dns \(GoQuote.quote(dns))")
            }
            let wildcards = allowWildcardNames
            if let violation = check(.dns, dns, parsed, permitted: permitted.dnsDomains, excluded: excluded.dnsDomains,
                                     describe: { $0 }, match: { (name: String, rule: String) throws(DomainLabels.MatchFailure) in
                                         try DomainLabels.match(name, rule: rule, allowWildcardNames: wildcards)
                                     }) { return violation }
        }
        for ip in ipAddresses {
            let name = ip.description
            if let violation = unlisted(.ip, name) { return violation }
            if let violation = check(.ip, name, ip, permitted: permitted.ipRanges, excluded: excluded.ipRanges,
                                     describe: { $0.description }, match: { (address: IPAddress, network: IPNetwork) in
                                         network.contains(address)
                                     }) { return violation }
        }
        for email in emailAddresses {
            if let violation = unlisted(.email, email) { return violation }
            guard var mailbox = Mailbox(email) else {
                return .make(.cannotParseRFC822Name, .email, email, detail: "invalid rfc822Name \(GoQuote.quote(email))")
            }
            guard case .success(let domain) = IDNA.toASCII(mailbox.domain, profile: .punycode) else {
                return .make(.cannotParseDomain, .email, email, detail: "cannot parse email domain \(GoQuote.quote(email))")
            }
            mailbox.domain = domain
            let wildcards = allowWildcardNames
            if let violation = check(.email, email, mailbox, permitted: permitted.emailAddresses,
                                     excluded: excluded.emailAddresses, describe: { $0 },
                                     match: { (box: Mailbox, rule: String) throws(DomainLabels.MatchFailure) in
                                         try NameConstraints.matchEmail(box, rule: rule, allowWildcardNames: wildcards)
                                     }) { return violation }
        }
        for uri in uris {
            if let violation = unlisted(.uri, uri.text) { return violation }
            let wildcards = allowWildcardNames
            if let violation = check(.uri, uri.text, uri, permitted: permitted.uriDomains, excluded: excluded.uriDomains,
                                     describe: { $0 }, match: { (name: URIName, rule: String) throws(DomainLabels.MatchFailure) in
                                         try NameConstraints.matchURI(name, rule: rule, allowWildcardNames: wildcards)
                                     }) { return violation }
        }
        for principal in principals {
            if let violation = unlisted(.principal, principal) { return violation }
            if let violation = check(.principal, principal, principal, permitted: permitted.principals,
                                     excluded: excluded.principals, describe: { $0 },
                                     match: { (name: String, rule: String) in rule == "*" || DomainLabels.equalFold(name, rule) }) {
                return violation
            }
        }
        return nil
    }

    /// step-ca's `validateCommonName`: a matching CN rule allows it; otherwise the CN is checked
    /// as the SAN it looks like and refusals name it `cn`.
    func validate(commonName: String) -> NamePolicyViolation? {
        guard hasConstraints, !commonName.isEmpty else { return nil }
        if hasRules(for: .cn) {
            let result = check(.cn, commonName, commonName, permitted: permitted.commonNames,
                               excluded: excluded.commonNames, describe: { $0 },
                               match: { (name: String, rule: String) in rule != "*" && DomainLabels.equalFold(name, rule) })
            if result == nil { return nil }
        }
        let split = SANClassifier(commonName)
        return validate(dnsNames: split.dnsNames, ipAddresses: split.ipAddresses, emailAddresses: split.emailAddresses,
                        uris: split.uris)?.asCommonName()
    }

    static func matchEmail(_ mailbox: Mailbox, rule: String, allowWildcardNames: Bool) throws(DomainLabels.MatchFailure) -> Bool {
        if rule.contains("@") {
            guard let ruleBox = Mailbox(rule) else {
                throw DomainLabels.MatchFailure(reason: "cannot parse constraint \(GoQuote.quote(rule))")
            }
            return mailbox.local == ruleBox.local && DomainLabels.equalFold(mailbox.domain, ruleBox.domain)
        }
        return try DomainLabels.match(mailbox.domain, rule: rule, allowWildcardNames: allowWildcardNames)
    }

    static func matchURI(_ uri: URIName, rule: String, allowWildcardNames: Bool) throws(DomainLabels.MatchFailure) -> Bool {
        var host = Substring(uri.host)
        if host.isEmpty {
            throw DomainLabels.MatchFailure(reason: "URI with empty host (\(GoQuote.quote(uri.text))) cannot be matched against constraints")
        }
        if host.contains("*") {
            throw DomainLabels.MatchFailure(reason: "URI host \(GoQuote.quote(uri.text)) cannot contain asterisk")
        }
        if host.contains(":") && !host.hasSuffix("]") {
            guard let split = HostPortSplit.host(of: String(host)) else {
                throw DomainLabels.MatchFailure(reason: "URI host \(GoQuote.quote(String(host))) is not host:port")
            }
            host = split
        }
        if (host.hasPrefix("[") && host.hasSuffix("]")) || IPAddress(String(host)) != nil {
            throw DomainLabels.MatchFailure(reason: "URI with IP \(GoQuote.quote(uri.text)) cannot be matched against constraints")
        }
        return try DomainLabels.match(String(host), rule: rule, allowWildcardNames: allowWildcardNames)
    }
}
