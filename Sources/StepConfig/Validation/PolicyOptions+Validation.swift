import NamePolicy

/// `authority.policy` rule values are checked with the name-policy engine's own rules, so that a
/// value the engine would refuse stops the CA at start-up with the value's JSON path
/// (`authority.policy.x509.allow.dns[1]`).
extension ObjectReader {
    /// Checks the lists of an `x509.allow` or `x509.deny` block.
    func checkX509PolicyRules() {
        checkPolicyRules("cn", as: .commonName)
        checkPolicyRules("commonName", as: .commonName)
        checkPolicyRules("dns", as: .dns)
        checkPolicyRules("ip", as: .ip)
        checkPolicyRules("email", as: .email)
        checkPolicyRules("uri", as: .uri)
    }

    /// Checks the lists of an `ssh.user` or `ssh.host` allow or deny block (principals are taken
    /// as written, as step-ca takes them).
    func checkSSHPolicyRules() {
        checkPolicyRules("dns", as: .dns)
        checkPolicyRules("ip", as: .ip)
        checkPolicyRules("email", as: .email)
    }

    /// Records an `invalidValue` error at `key[index]` for every value the engine would refuse.
    /// `null` elements are empty strings, as in Go. Type errors were recorded while decoding.
    private func checkPolicyRules(_ key: String, as kind: NameRuleKind) {
        guard let list = value(key), case .array(let elements) = list.value else { return }
        for (index, element) in elements.enumerated() {
            let text: String
            switch element.value {
            case .string(let value): text = value
            case .null: text = ""
            default: continue
            }
            do {
                _ = try kind.normalize(text)
            } catch {
                context.error(.invalidValue, path(key).appending(index: index),
                              "invalid \(kind.rawValue) rule \(GoQuote.quote(text)): \(error.reason)", at: element.start)
            }
        }
    }
}
