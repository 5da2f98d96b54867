extension CAConfig {
    /// Checks that span sections: required files (unless a registration
    /// authority), provisioner uniqueness, one K8sSA at most, CRL needs a DB.
    /// Runs after decoding; problems go to `context`.
    mutating func validate(_ context: DecodeContext, _ root: ObjectPositions) {
        if !authority.isRegistrationAuthority {
            if context.hasError(at: JSONPath("root")) {
                // Already reported as a type error.
            } else if root.isMissing("root") || self.root.isEmpty {
                context.error(.missingValue, JSONPath("root"), "root is required and cannot be empty",
                              at: root.offset("root"))
            } else if let index = self.root.firstIndex(of: "") {
                context.error(.missingValue, JSONPath("root").appending(index: index), "root cannot be empty",
                              at: root.offset("root"))
            }
            if crt?.isEmpty ?? true, !context.hasError(at: JSONPath("crt")) {
                context.error(.missingValue, JSONPath("crt"), "crt is required and cannot be empty",
                              at: root.offset("crt"))
            }
            if key?.isEmpty ?? true, !context.hasError(at: JSONPath("key")) {
                context.error(.missingValue, JSONPath("key"), "key is required and cannot be empty",
                              at: root.offset("key"))
            }
        }
        if let crl, crl.enabled, db == nil {
            context.error(.conflict, JSONPath("crl.enabled"), "the CRL requires a database; configure db",
                          at: root.offset("crl"))
        }
        validateProvisioners(context)
        checkSSHPOPKeys(context)
    }

    /// SSHPOP verifies tokens with the SSH host CA keys, so step-ca keeps an
    /// SSHPOP provisioner uninitialized when no SSH keys are configured.
    private mutating func checkSSHPOPKeys(_ context: DecodeContext) {
        let hasKeys = ssh.map { $0.hostKey?.isEmpty == false || $0.userKey?.isEmpty == false || !$0.keys.isEmpty }
        guard hasKeys != true else { return }
        for index in authority.provisioners.indices where authority.provisioners[index].type == .sshpop {
            let path = authority.provisioners[index].path.appending("type")
            let reason = "SSHPOP needs SSH keys (ssh.hostKey, ssh.userKey or ssh.keys)"
            context.warning(.provisionerUninitialized, path, reason + "; step-ca keeps this provisioner uninitialized")
            if authority.provisioners[index].uninitializedReason == nil {
                authority.provisioners[index].uninitializedReason = "\(path): \(reason)"
            }
        }
    }

    private func validateProvisioners(_ context: DecodeContext) {
        var byName: [String: Provisioner] = [:]
        var byID: [String: Provisioner] = [:]
        var kubernetes: Provisioner?
        for provisioner in authority.provisioners {
            if let other = byName[provisioner.name] {
                context.error(.duplicateProvisioner, provisioner.path.appending("name"),
                              "duplicate provisioner name \(GoQuote.quote(provisioner.name)); "
                              + "also used at \(other.path.appending("name"))")
            } else {
                byName[provisioner.name] = provisioner
                if let other = byID[provisioner.id] {
                    context.error(.duplicateProvisioner, provisioner.path,
                                  "duplicate provisioner id \(GoQuote.quote(provisioner.id)); "
                                  + "also used by \(other.path)")
                } else {
                    byID[provisioner.id] = provisioner
                }
            }
            if provisioner.type == .k8sSA {
                if let first = kubernetes {
                    context.error(.conflict, provisioner.path.appending("type"),
                                  "cannot have more than one kubernetes service account provisioner; "
                                  + "the first is at \(first.path)")
                } else {
                    kubernetes = provisioner
                }
            }
        }
    }
}

/// Where the top-level keys sit in the file (matched ignoring case, as Go
/// does), for messages about absent or empty values found after decoding.
struct ObjectPositions {
    let members: [String: Int]
    let objectStart: Int

    init(_ node: JSONNode) {
        var members: [String: Int] = [:]
        if case .object(let list) = node.value {
            for member in list where !member.value.isNull { members[member.key.lowercased()] = member.value.start }
        }
        self.members = members
        self.objectStart = node.start
    }

    func isMissing(_ key: String) -> Bool { members[key.lowercased()] == nil }
    func offset(_ key: String) -> Int { members[key.lowercased()] ?? objectStart }
}
