import NamePolicy
import StepConfig

/// step-ca's authority-level name policy (`authority.policy` in ca.json), built once when an
/// ``Authority`` is constructed and consulted on the final certificate before signing.
///
/// With `authority.enableAdmin` step-ca ignores ca.json's policy (the database policy applies), so
/// the gate then allows everything and a warning says so. Refusals map to step-ca's answers: a
/// denied name is 403 `The request was forbidden by the certificate authority: dns name "x" not
/// allowed` (no trailing period); a name the policy cannot evaluate, and an SSH certificate type
/// refused because only the other type has rules, are 500 with the generic message.
struct NamePolicyGate: Sendable {
    /// The X.509 policy; `nil` when ca.json has no X.509 rules.
    let x509: X509NamePolicy?
    /// The SSH policy; `nil` when ca.json has no SSH rules.
    let ssh: SSHNamePolicy?

    /// A gate that allows every name.
    static let allowAll = NamePolicyGate(x509: nil, ssh: nil)

    private init(x509: X509NamePolicy?, ssh: SSHNamePolicy?) {
        self.x509 = x509
        self.ssh = ssh
    }

    /// Compiles `authority.policy`. Rule values were validated when ca.json was loaded; a value
    /// refused here still stops start-up, naming the file and JSON path.
    init(config: CAConfig, warn: (String) -> Void = { ConsoleLog.warning($0) }) throws(StartupError) {
        guard let policy = config.authority.policy, policy.x509 != nil || policy.ssh != nil else {
            self.init(x509: nil, ssh: nil)
            return
        }
        if config.authority.enableAdmin {
            warn("\(config.fileName): authority.policy is ignored because authority.enableAdmin is true; "
                 + "the policy managed through the admin API applies")
            self.init(x509: nil, ssh: nil)
            return
        }
        do {
            self.init(x509: try Self.x509Policy(policy.x509), ssh: try Self.sshPolicy(policy.ssh))
        } catch {
            let path = (error.scope.hasPrefix("user") || error.scope.hasPrefix("host")) ? "ssh" : "x509"
            throw StartupError(.config, "\(config.fileName): authority.policy.\(path).\(error)")
        }
    }

    private static func x509Policy(_ policy: X509Policy?) throws(NameRuleError) -> X509NamePolicy? {
        guard let policy else { return nil }
        let allow = lists(policy.allow)
        let deny = lists(policy.deny)
        if allow.isEmpty && deny.isEmpty { return nil }
        return try X509NamePolicy(allow: allow, deny: deny, allowWildcardNames: policy.allowWildcardNames)
    }

    private static func lists(_ rules: X509NameRules?) -> X509NameLists { rules ?? X509NameLists() }

    private static func sshPolicy(_ policy: SSHPolicy?) throws(NameRuleError) -> SSHNamePolicy? {
        guard let policy else { return nil }
        let compiled = try SSHNamePolicy(user: ruleSet(policy.user), host: ruleSet(policy.host))
        return compiled.hasRules ? compiled : nil
    }

    private static func ruleSet(_ rules: SSHPolicyRules?) -> SSHNameRuleSet? {
        guard let rules else { return nil }
        return SSHNameRuleSet(allow: rules.allow ?? SSHNameLists(), deny: rules.deny ?? SSHNameLists())
    }

    /// Checks the names of an X.509 certificate about to be signed (SANs first, then the CN).
    func checkX509(commonName: String?, dnsNames: [String], ipAddresses: [[UInt8]], emailAddresses: [String],
                   uris: [String]) throws(APIError) {
        guard let x509 else { return }
        let ips = ipAddresses.compactMap { IPAddress(bytes: $0) }
        if let violation = x509.check(commonName: commonName, dnsNames: dnsNames, ipAddresses: ips,
                                      emailAddresses: emailAddresses, uris: uris) {
            throw Self.apiError(violation)
        }
    }

    /// Checks the subject common name and SANs of an X.509 certificate about to be signed.
    func checkX509(commonName: String?, sans: SANSet) throws(APIError) {
        try checkX509(commonName: commonName, dnsNames: sans.dnsNames, ipAddresses: sans.ipAddresses,
                      emailAddresses: sans.emailAddresses, uris: sans.uris)
    }

    /// Checks the principals of an SSH certificate about to be signed.
    func checkSSH(certType: SSHCertificateKind, principals: [String]) throws(APIError) {
        guard let ssh, let violation = ssh.check(certType, principals: principals) else { return }
        throw Self.apiError(violation)
    }

    /// step-ca's answer to a refusal: 403 with the message for a denied name, else 500.
    static func apiError(_ violation: NamePolicyViolation) -> APIError {
        if violation.isForbidden {
            return APIError(status: 403,
                            message: "The request was forbidden by the certificate authority: \(violation.message)",
                            detail: "name policy: \(violation.detail)")
        }
        return .internalError("name policy: \(violation.message) (\(violation.detail))")
    }
}
