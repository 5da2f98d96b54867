import Foundation
import StepConfig
import Testing

@Suite("A configuration using every documented field")
struct FullExampleTests {
    let stepPath = TestFiles.stepPath

    func load() throws -> CAConfig {
        let (config, warnings) = try CAConfig.parse(TestFiles.config("full-example.json"),
                                                    file: "config/ca.json", stepPath: stepPath)
        #expect(warnings.isEmpty, "\(warnings.map(\.description))")
        return config
    }

    @Test("top level")
    func topLevel() throws {
        let config = try load()
        #expect(config.root == ["/srv/step/certs/root_ca.crt", "/etc/step/certs/old_root_ca.crt"])
        #expect(config.federatedRoots == ["/srv/step/certs/federated_root_ca.crt", "/home/ca/federation/partner_root.crt"])
        #expect(config.crt == "/srv/step/certs/intermediate_ca.crt")
        #expect(config.key == "pkcs11:id=7331;object=intermediate-key")
        #expect(config.address == ":443")
        #expect(config.insecureAddress == ":8080")
        #expect(config.dnsNames == ["ca.example.com", "10.0.0.1", "::1"])
        #expect(config.password == "p4ssw0rd")
        #expect(config.commonName == "ca.example.com")
        #expect(config.metricsAddress == "127.0.0.1:9100")
        #expect(config.logger == LoggerConfig(format: .json, traceHeader: "X-Request-Id"))
        #expect(config.monitoring?.type == "newrelic")
        #expect(config.monitoring?.name == "step-ca")
        #expect(config.monitoring?.key == "0123456789abcdef")
    }

    @Test("kms and db keep their raw JSON for plugins")
    func pluginSections() throws {
        let config = try load()
        let kms = try #require(config.kms)
        #expect(kms.type == "pkcs11")
        #expect(kms.effectiveType == "pkcs11")
        #expect(kms.uri?.hasPrefix("pkcs11:module-path=") == true)
        #expect(kms.pin == "password")
        #expect(kms.managementKey == "010203040506070801020304050607080102030405060708")
        #expect(kms.credentialsFile == "/etc/step/kms-credentials.json")
        #expect(kms.region == "us-east-1")
        #expect(kms.profile == "step")
        #expect(kms.storageDirectory == "/var/lib/step/tpm")
        let object = try JSONSerialization.jsonObject(with: Data(kms.rawJSON.utf8)) as? [String: Any]
        #expect(object?["profile"] as? String == "step")
        #expect(object?.count == 8)

        let db = try #require(config.db)
        #expect(db.type == "postgresql")
        #expect(db.dataSource == "postgresql://step:secret@127.0.0.1:5432/?sslmode=disable")
        #expect(db.database == "stepca")
        #expect(db.valueDir == "")
        #expect(db.rawJSON.hasPrefix("{") && db.rawJSON.hasSuffix("}"))
        #expect(db.rawJSON.contains("\"database\": \"stepca\""))
    }

    @Test("ssh")
    func ssh() throws {
        let ssh = try #require(try load().ssh)
        #expect(ssh.hostKey == "/srv/step/secrets/ssh_host_ca_key")
        #expect(ssh.userKey == "yubikey:slot-id=9c")
        #expect(ssh.keys.count == 1)
        #expect(ssh.keys.first?.type == .user)
        #expect(ssh.keys.first?.federated == true)
        #expect(ssh.keys.first?.key.keyID == "c3NoLWZlZGVyYXRlZC11c2VyLWtleQ")
        #expect(ssh.addUserPrincipal == "provisioner")
        #expect(ssh.addUserCommand?.hasPrefix("sudo useradd") == true)
        #expect(ssh.bastion == SSHBastion(hostname: "bastion.example.com", user: "jump", port: "2222",
                                          command: "nc -q0 %h %p", flags: "-A"))
    }

    @Test("authority settings, template and policy")
    func authority() throws {
        let authority = try load().authority
        #expect(authority.authorityID == "9d8f1c2a-6b1e-4c7a-9a55-0f7cb1f0e2a1")
        #expect(authority.deploymentType == "StandAlone")
        #expect(authority.backdate == GoDuration.seconds(90))
        #expect(authority.disableGetSSHHosts)
        #expect(!authority.disableIssuedAtCheck)
        #expect(!authority.enableAdmin)
        let template = try #require(authority.template)
        #expect(template.country == ["US"])
        #expect(template.organization == ["Smallstep Labs", "Example Inc"])
        #expect(template.streetAddress == ["1 Main St", "Suite 2"])
        #expect(template.postalCode == ["94107"])
        #expect(template.commonName == ["Example Online CA"])
        let policy = try #require(authority.policy)
        #expect(policy.x509?.allow?.dnsDomains == ["*.example.com", "example.com"])
        #expect(policy.x509?.allow?.commonNames == ["Example Service"])
        #expect(policy.x509?.deny?.commonNames == ["Forbidden"])
        #expect(policy.x509?.deny?.ipRanges == ["10.1.0.0/16"])
        #expect(policy.x509?.allowWildcardNames == true)
        #expect(policy.ssh?.user?.allow?.principals == ["ops"])
        #expect(policy.ssh?.host?.deny?.dnsDomains == ["db.internal.example.com"])
        let claims = try #require(authority.claims)
        #expect(claims.maxTLSCertDuration == .hours(168))
        #expect(claims.maxHostSSHCertDuration == .hours(1680))
        #expect(claims.enableSSHCA == true)
    }

    @Test("every provisioner type parses with its own fields")
    func provisioners() throws {
        let provisioners = try load().authority.provisioners
        #expect(provisioners.map(\.type) == [.jwk, .jwk, .oidc, .oidc, .x5c, .sshpop, .acme, .acme, .k8sSA, .aws,
                                             .gcp, .gcp, .azure, .scep, .scep, .nebula])
        #expect(Set(provisioners.map(\.type)) == Set(ProvisionerType.allCases))
        #expect(provisioners.allSatisfy { $0.uninitializedReason == nil })
        #expect(provisioners.map(\.index) == Array(0..<16))
        #expect(provisioners[1].typeName == "jwk")

        guard case .jwk(let jwk) = provisioners[0].details else { Issue.record("JWK"); return }
        #expect(jwk.key.keyID == "MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE")
        let options = try #require(provisioners[0].options)
        #expect(options.x509?.templateFile == "/srv/step/templates/certs/x509/leaf.tpl")
        #expect(options.x509?.templateDataJSON?.contains("\"OrganizationalUnit\": \"Ops\"") == true)
        #expect(options.ssh?.template?.hasPrefix("{\"type\": {{ toJson .Type }}") == true)
        #expect(options.webhooks == [WebhookConfig(id: "b7d2c2d1", name: "people", url: "https://hooks.example.com/enrich",
                                                   kind: "ENRICHING", certType: "X509")])

        guard case .oidc(let google) = provisioners[2].details,
              case .oidc(let azureAD) = provisioners[3].details else { Issue.record("OIDC"); return }
        #expect(google.clientSecret == "udTrOT3gzrO7W9fDPgZQLfYJ")
        #expect(google.admins == ["admin@example.com"])
        #expect(google.domains == ["example.com"])
        #expect(google.groups == ["engineering"])
        #expect(google.listenAddress == ":10000")
        #expect(google.scopes == ["openid", "email"])
        #expect(google.authParams == ["prompt=select_account"])
        #expect(azureAD.tenantID == "4a1d2e3f-1111-2222-3333-444455556666")
        #expect(azureAD.clientSecret == "")
        #expect(provisioners[2].id == google.clientID)

        guard case .x5c(let x5c) = provisioners[4].details else { Issue.record("X5C"); return }
        #expect(String(decoding: x5c.rootsPEM, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(provisioners[5].details == .sshpop)
        #expect(provisioners[5].options == nil)
        #expect(provisioners[5].id == "sshpop/sshpop")

        guard case .acme(let acme) = provisioners[6].details,
              case .acme(let eab) = provisioners[7].details else { Issue.record("ACME"); return }
        #expect(acme.forceCN)
        #expect(acme.termsOfService == "https://example.com/acme/terms")
        #expect(acme.caaIdentities == ["example.com"])
        #expect(acme.effectiveChallenges == ["http-01", "dns-01", "tls-alpn-01", "device-attest-01"])
        #expect(acme.effectiveAttestationFormats == ["apple", "step", "tpm"])
        #expect(acme.attestationRootsPEM != nil)
        #expect(provisioners[6].options?.x509?.templateFile == "/etc/step/templates/acme.tpl")
        #expect(eab.requireEAB)
        #expect(eab.effectiveChallenges == ["http-01", "dns-01", "tls-alpn-01"])
        #expect(eab.effectiveAttestationFormats == ["apple", "step", "tpm", "android-key"])
    }

    @Test("cloud, Kubernetes, SCEP and Nebula provisioners")
    func moreProvisioners() throws {
        let provisioners = try load().authority.provisioners
        guard case .k8sSA(let k8s) = provisioners[8].details else { Issue.record("K8sSA"); return }
        #expect(String(decoding: k8s.publicKeysPEM, as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(provisioners[8].id == "k8sSA/k8sSA-default")

        guard case .aws(let aws) = provisioners[9].details else { Issue.record("AWS"); return }
        #expect(aws.accounts == ["123456789012"])
        #expect(aws.effectiveIMDSVersions == ["v2", "v1"])
        #expect(aws.instanceAge == .hours(1))
        #expect(aws.iidRoots == "/etc/step/aws-iid-roots.pem")

        guard case .gcp(let gcp) = provisioners[10].details,
              case .gcp(let org) = provisioners[11].details else { Issue.record("GCP"); return }
        #expect(gcp.serviceAccounts == ["1234567890"])
        #expect(gcp.projectIDs == ["project-id"])
        #expect(gcp.disableCustomSANs && gcp.disableTrustOnFirstUse)
        #expect(gcp.disableSSHCAUser == true && gcp.disableSSHCAHost == false)
        #expect(gcp.instanceAge == .minutes(30))
        #expect(org.organizationID == "1122334455")
        #expect(org.disableSSHCAUser == nil)

        guard case .azure(let azure) = provisioners[12].details else { Issue.record("Azure"); return }
        #expect(azure.tenantID == "b17c217c-84db-43f0-babd-e06a71083cda")
        #expect(azure.resourceGroups == ["backend"])
        #expect(azure.objectIDs == ["ad7e6a3d-0000-1111-2222-333344445555"])
        #expect(azure.effectiveAudience == "https://management.azure.com/")
        #expect(provisioners[12].id == azure.tenantID)

        guard case .scep(let scep) = provisioners[13].details,
              case .scep(let scepKMS) = provisioners[14].details else { Issue.record("SCEP"); return }
        #expect(scep.challenge == "ch4ll3ng3")
        #expect(scep.capabilities == ["AES", "POSTPKIOperation", "SHA-256"])
        #expect(scep.includeRoot && !scep.excludeIntermediate)
        #expect(scep.minimumPublicKeyLength == 2048)
        #expect(scep.encryptionAlgorithmIdentifier == 2)
        #expect(String(decoding: scep.decrypterCertificatePEM ?? Data(), as: UTF8.self).contains("BEGIN CERTIFICATE"))
        #expect(String(decoding: scep.decrypterKeyPEM ?? Data(), as: UTF8.self).contains("PRIVATE KEY"))
        #expect(provisioners[13].options?.webhooks.first?.kind == "SCEPCHALLENGE")
        #expect(scepKMS.decrypterKeyURI == "pkcs11:id=1234;object=scep-decrypter")
        #expect(scepKMS.effectiveMinimumPublicKeyLength == 3072)

        guard case .nebula(let nebula) = provisioners[15].details else { Issue.record("Nebula"); return }
        #expect(String(decoding: nebula.rootsPEM, as: UTF8.self).hasPrefix("-----BEGIN NEBULA CERTIFICATE-----"))
    }

    @Test("tls, templates and crl")
    func serverSections() throws {
        let config = try load()
        #expect(config.tls.cipherSuites.count == 4)
        #expect(config.tls.cipherSuiteCodes == [0xCCA9, 0xC02B, 0xC030, 0xCCA9])
        #expect(config.tls.minVersion == .tls1_2 && config.tls.maxVersion == .tls1_3)
        #expect(!config.tls.renegotiation)

        let templates = try #require(config.templates)
        #expect(templates.ssh?.user.map(\.name) == ["config.tpl", "step_includes.tpl", "step_config.tpl", "known_hosts.tpl"])
        #expect(templates.ssh?.user.first?.templatePath == "/srv/step/templates/ssh/config.tpl")
        #expect(templates.ssh?.user.first?.path == "~/.ssh/config")
        #expect(templates.ssh?.user[1].type == .prependLine)
        #expect(templates.ssh?.host.first?.requires == ["Certificate", "Key"])
        #expect(templates.ssh?.host.last?.type == .directory)
        #expect(templates.ssh?.host.last?.templatePath == nil)
        #expect(templates.dataJSON?.contains("\"Environment\": \"production\"") == true)

        let crl = try #require(config.crl)
        #expect(crl.enabled && crl.generateOnRevoke)
        #expect(crl.cacheDuration == .hours(24))
        #expect(crl.renewPeriod == .hours(16))
        #expect(crl.effectiveRenewPeriod == .hours(16))
        #expect(crl.idpURL == "https://ca.example.com/1.0/crl")
    }

    @Test("effective claims of the example's provisioners")
    func claims() throws {
        let config = try load()
        let authority = try config.authorityClaims()
        #expect(authority.tls == .init(minimum: .minutes(5), maximum: .hours(168), default: .hours(24)))
        #expect(authority.hostSSH.maximum == .hours(1680))
        #expect(authority.enableSSHCA)
        let provisioners = config.authority.provisioners
        #expect(try config.effectiveClaims(for: provisioners[0]).tls.default == .hours(2))
        #expect(try config.effectiveClaims(for: provisioners[1]).tls
                == .init(minimum: .minutes(5), maximum: .hours(1), default: .minutes(30)))
        #expect(try config.effectiveClaims(for: provisioners[2]).disableRenewal)
        // AWS sets default 2160h and max 2160h: both above the authority's 168h.
        #expect(try config.effectiveClaims(for: provisioners[9]).tls.maximum == .hours(2160))
    }
}
