extension AuthorityConfig {
    static let keys = [
        "provisioners", "template", "claims", "policy", "disableIssuedAtCheck", "backdate", "enableAdmin",
        "disableGetSSHHosts", "authorityId", "deploymentType", "type", "certificateAuthority",
        "certificateAuthorityFingerprint", "certificateIssuer", "credentialsFile", "config",
    ]

    static func decode(_ reader: ObjectReader) -> AuthorityConfig {
        var config = AuthorityConfig()
        if let list = reader.array("provisioners") {
            config.provisioners = list.enumerated().compactMap { index, element in
                Provisioner.decode(element.node, index: index, at: element.path, context: reader.context)
            }
        }
        if let template = reader.object("template", keys: ASN1DN.keys) { config.template = ASN1DN.decode(template) }
        if let claims = reader.object("claims", keys: Claims.keys) { config.claims = Claims.decode(claims) }
        if let policy = reader.object("policy", keys: PolicyOptions.keys) { config.policy = PolicyOptions.decode(policy) }
        config.disableIssuedAtCheck = reader.bool("disableIssuedAtCheck") ?? false
        if let backdate = reader.duration("backdate") {
            config.backdate = backdate
            if backdate < .zero { reader.invalid("backdate", "backdate cannot be less than 0") }
        }
        config.enableAdmin = reader.bool("enableAdmin") ?? false
        config.disableGetSSHHosts = reader.bool("disableGetSSHHosts") ?? false
        config.authorityID = reader.string("authorityId")
        config.deploymentType = reader.string("deploymentType")
        if let type = reader.string("type"), !type.isEmpty {
            config.type = type
            if !knownTypes.contains(type.lowercased()) {
                reader.invalid("type", "unsupported cas type \(GoQuote.quote(type)); "
                               + "expected softcas, stepcas, cloudcas or vaultcas")
            }
        }
        config.certificateAuthority = reader.string("certificateAuthority")
        config.certificateAuthorityFingerprint = reader.string("certificateAuthorityFingerprint")
        if let issuer = reader.object("certificateIssuer",
                                      keys: ["type", "provisioner", "crt", "key", "password"]) {
            let type = issuer.requiredString("type")
            config.certificateIssuer = CertificateIssuerConfig(
                type: type ?? "", provisioner: issuer.string("provisioner"), crt: issuer.string("crt"),
                key: issuer.string("key"), password: issuer.string("password"))
        }
        config.credentialsFile = reader.string("credentialsFile")
        config.configJSON = reader.rawValue("config")
        return config
    }
}

extension ASN1DN {
    static func decode(_ reader: ObjectReader) -> ASN1DN {
        func list(_ key: String) -> [String] { reader.stringOrStrings(key) ?? [] }
        return ASN1DN(country: list("country"), organization: list("organization"),
                      organizationalUnit: list("organizationalUnit"), locality: list("locality"),
                      province: list("province"), streetAddress: list("streetAddress"),
                      postalCode: list("postalCode"), serialNumber: list("serialNumber"),
                      commonName: list("commonName"))
    }
}

extension Claims {
    static func decode(_ reader: ObjectReader) -> Claims {
        Claims(minTLSCertDuration: reader.duration("minTLSCertDuration"),
               maxTLSCertDuration: reader.duration("maxTLSCertDuration"),
               defaultTLSCertDuration: reader.duration("defaultTLSCertDuration"),
               minUserSSHCertDuration: reader.duration("minUserSSHCertDuration"),
               maxUserSSHCertDuration: reader.duration("maxUserSSHCertDuration"),
               defaultUserSSHCertDuration: reader.duration("defaultUserSSHCertDuration"),
               minHostSSHCertDuration: reader.duration("minHostSSHCertDuration"),
               maxHostSSHCertDuration: reader.duration("maxHostSSHCertDuration"),
               defaultHostSSHCertDuration: reader.duration("defaultHostSSHCertDuration"),
               enableSSHCA: reader.bool("enableSSHCA"),
               disableRenewal: reader.bool("disableRenewal"),
               allowRenewalAfterExpiry: reader.bool("allowRenewalAfterExpiry"),
               disableSmallstepExtensions: reader.bool("disableSmallstepExtensions"))
    }
}

extension PolicyOptions {
    static let keys = ["x509", "ssh"]
    static let x509NameKeys = ["cn", "commonName", "dns", "ip", "email", "uri"]
    static let sshNameKeys = ["dns", "ip", "email", "principal"]

    static func decode(_ reader: ObjectReader) -> PolicyOptions {
        var policy = PolicyOptions()
        if let x509 = reader.object("x509", keys: ["allow", "deny", "allowWildcardNames"]) {
            policy.x509 = X509Policy(allow: x509.object("allow", keys: x509NameKeys).map(x509Names),
                                     deny: x509.object("deny", keys: x509NameKeys).map(x509Names),
                                     allowWildcardNames: x509.bool("allowWildcardNames") ?? false)
        }
        if let ssh = reader.object("ssh", keys: ["user", "host"]) {
            policy.ssh = SSHPolicy(user: ssh.object("user", keys: ["allow", "deny"]).map(sshRules),
                                   host: ssh.object("host", keys: ["allow", "deny"]).map(sshRules))
        }
        return policy
    }

    private static func x509Names(_ reader: ObjectReader) -> X509NameRules {
        reader.checkX509PolicyRules()
        return X509NameRules(commonNames: (reader.strings("cn") ?? []) + (reader.strings("commonName") ?? []),
                             dnsDomains: reader.strings("dns") ?? [], ipRanges: reader.strings("ip") ?? [],
                             emailAddresses: reader.strings("email") ?? [], uriDomains: reader.strings("uri") ?? [])
    }

    private static func sshRules(_ reader: ObjectReader) -> SSHPolicyRules {
        SSHPolicyRules(allow: reader.object("allow", keys: sshNameKeys).map(sshNames),
                       deny: reader.object("deny", keys: sshNameKeys).map(sshNames))
    }

    private static func sshNames(_ reader: ObjectReader) -> SSHNameRules {
        reader.checkSSHPolicyRules()
        return SSHNameRules(dnsDomains: reader.strings("dns") ?? [], ipRanges: reader.strings("ip") ?? [],
                            emailAddresses: reader.strings("email") ?? [], principals: reader.strings("principal") ?? [])
    }
}
