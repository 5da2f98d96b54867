import Foundation

extension ProvisionerType {
    /// The keys each type reads besides type, name, claims and options.
    var specificKeys: [String] {
        switch self {
        case .jwk: return ["key", "encryptedKey"]
        case .oidc: return ["clientID", "clientSecret", "configurationEndpoint", "tenantID", "admins", "domains",
                            "groups", "listenAddress", "scopes", "authParams"]
        case .x5c, .nebula: return ["roots"]
        case .sshpop: return []
        case .acme: return ["forceCN", "termsOfService", "website", "caaIdentities", "requireEAB", "challenges",
                            "attestationFormats", "attestationRoots"]
        case .k8sSA: return ["publicKeys"]
        case .aws: return ["accounts", "disableCustomSANs", "disableTrustOnFirstUse", "imdsVersions",
                           "instanceAge", "iidRoots"]
        case .gcp: return ["serviceAccounts", "projectIDs", "organizationID", "disableCustomSANs",
                           "disableTrustOnFirstUse", "disableSSHCAUser", "disableSSHCAHost", "instanceAge"]
        case .azure: return ["tenantID", "resourceGroups", "subscriptionIDs", "objectIDs", "audience",
                             "disableCustomSANs", "disableTrustOnFirstUse"]
        case .scep: return ["forceCN", "challenge", "capabilities", "includeRoot", "excludeIntermediate",
                            "minimumPublicKeyLength", "decrypterCertificate", "decrypterKeyPEM", "decrypterKey",
                            "decrypterKeyPassword", "encryptionAlgorithmIdentifier"]
        }
    }
}

extension ProvisionerDetails {
    /// Reads the type-specific members. Problems step-ca only reports at
    /// provisioner start-up go to `problems`; type errors go to the context.
    static func decode(_ type: ProvisionerType, _ reader: ObjectReader,
                       problems: inout ProvisionerProblems) -> ProvisionerDetails? {
        switch type {
        case .jwk: return decodeJWK(reader, &problems)
        case .oidc: return .oidc(decodeOIDC(reader, &problems))
        case .x5c: return .x5c(X5CProvisioner(rootsPEM: pemBundle(reader, "roots", "CERTIFICATE", &problems)))
        case .nebula:
            return .nebula(NebulaProvisioner(rootsPEM: pemBundle(reader, "roots", "NEBULA CERTIFICATE", &problems)))
        case .sshpop: return .sshpop
        case .acme: return .acme(decodeACME(reader, &problems))
        case .k8sSA:
            return .k8sSA(K8sSAProvisioner(publicKeysPEM: pemBundle(reader, "publicKeys", "PUBLIC KEY", &problems)))
        case .aws: return .aws(decodeAWS(reader, &problems))
        case .gcp: return .gcp(decodeGCP(reader, &problems))
        case .azure: return .azure(decodeAzure(reader, &problems))
        case .scep: return .scep(decodeSCEP(reader, &problems))
        }
    }

    private static func decodeJWK(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> ProvisionerDetails? {
        let encryptedKey = reader.string("encryptedKey")
        guard let node = reader.value("key") else {
            reader.missing("key", "JWK provisioner key")
            return nil
        }
        guard let key = JSONWebKey.decode(node, at: reader.path("key"), context: reader.context) else { return nil }
        if key.hasPrivateMembers { problems.add(reader, "key", "key must be a public key") }
        return .jwk(JWKProvisioner(key: key, encryptedKey: encryptedKey))
    }

    private static func decodeOIDC(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> OIDCProvisioner {
        let oidc = OIDCProvisioner(
            clientID: reader.string("clientID") ?? "", clientSecret: reader.string("clientSecret") ?? "",
            configurationEndpoint: reader.string("configurationEndpoint") ?? "",
            tenantID: reader.string("tenantID"), admins: reader.strings("admins") ?? [],
            domains: reader.strings("domains") ?? [], groups: reader.strings("groups") ?? [],
            listenAddress: reader.string("listenAddress"), scopes: reader.strings("scopes") ?? [],
            authParams: reader.strings("authParams") ?? [])
        if oidc.clientID.isEmpty { problems.add(reader, "clientID", "clientID is required") }
        if oidc.configurationEndpoint.isEmpty {
            problems.add(reader, "configurationEndpoint", "configurationEndpoint is required")
        } else if URL(string: oidc.configurationEndpoint)?.scheme == nil {
            problems.add(reader, "configurationEndpoint", "configurationEndpoint must be an absolute URL")
        }
        if let address = oidc.listenAddress, !address.isEmpty, case .failure(let failure) = HostPort.split(address) {
            problems.add(reader, "listenAddress", "invalid listenAddress \(GoQuote.quote(address)): \(failure.reason)")
        }
        return oidc
    }

    private static func decodeACME(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> ACMEProvisioner {
        let acme = ACMEProvisioner(
            forceCN: reader.bool("forceCN") ?? false, termsOfService: reader.string("termsOfService"),
            website: reader.string("website"), caaIdentities: reader.strings("caaIdentities") ?? [],
            requireEAB: reader.bool("requireEAB") ?? false, challenges: reader.strings("challenges"),
            attestationFormats: reader.strings("attestationFormats"),
            attestationRootsPEM: reader.value("attestationRoots") == nil
                ? nil : pemBundle(reader, "attestationRoots", "CERTIFICATE", &problems))
        for (index, challenge) in (acme.challenges ?? []).enumerated()
        where !ACMEProvisioner.knownChallenges.contains(challenge.lowercased()) {
            problems.add(reader.path("challenges").appending(index: index),
                         "acme challenge \(GoQuote.quote(challenge)) is not supported", offset: reader.offset("challenges"))
        }
        for (index, format) in (acme.attestationFormats ?? []).enumerated()
        where !ACMEProvisioner.knownAttestationFormats.contains(format.lowercased()) {
            problems.add(reader.path("attestationFormats").appending(index: index),
                         "acme attestation format \(GoQuote.quote(format)) is not supported",
                         offset: reader.offset("attestationFormats"))
        }
        return acme
    }

    private static func decodeAWS(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> AWSProvisioner {
        let aws = AWSProvisioner(
            accounts: reader.strings("accounts") ?? [], disableCustomSANs: reader.bool("disableCustomSANs") ?? false,
            disableTrustOnFirstUse: reader.bool("disableTrustOnFirstUse") ?? false,
            imdsVersions: reader.strings("imdsVersions"), instanceAge: reader.duration("instanceAge"),
            iidRoots: reader.string("iidRoots").flatMap { $0.isEmpty ? nil : $0 })
        if let age = aws.instanceAge, age < .zero { problems.add(reader, "instanceAge", "instanceAge cannot be negative") }
        for version in aws.imdsVersions ?? [] where version != "v1" && version != "v2" {
            problems.add(reader, "imdsVersions",
                         "\(GoQuote.quote(version)) is not a supported AWS Instance Metadata Service version")
        }
        return aws
    }

    private static func decodeGCP(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> GCPProvisioner {
        let gcp = GCPProvisioner(
            serviceAccounts: reader.strings("serviceAccounts") ?? [], projectIDs: reader.strings("projectIDs") ?? [],
            organizationID: reader.string("organizationID").flatMap { $0.isEmpty ? nil : $0 },
            disableCustomSANs: reader.bool("disableCustomSANs") ?? false,
            disableTrustOnFirstUse: reader.bool("disableTrustOnFirstUse") ?? false,
            disableSSHCAUser: reader.bool("disableSSHCAUser"), disableSSHCAHost: reader.bool("disableSSHCAHost"),
            instanceAge: reader.duration("instanceAge"))
        if let age = gcp.instanceAge, age < .zero { problems.add(reader, "instanceAge", "instanceAge cannot be negative") }
        if !gcp.projectIDs.isEmpty, gcp.organizationID != nil {
            problems.add(reader, "organizationID", "projectIDs and organizationID cannot both be set")
        }
        return gcp
    }

    private static func decodeAzure(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> AzureProvisioner {
        let azure = AzureProvisioner(
            tenantID: reader.string("tenantID") ?? "", resourceGroups: reader.strings("resourceGroups") ?? [],
            subscriptionIDs: reader.strings("subscriptionIDs") ?? [], objectIDs: reader.strings("objectIDs") ?? [],
            audience: reader.string("audience").flatMap { $0.isEmpty ? nil : $0 },
            disableCustomSANs: reader.bool("disableCustomSANs") ?? false,
            disableTrustOnFirstUse: reader.bool("disableTrustOnFirstUse") ?? false)
        if azure.tenantID.isEmpty { problems.add(reader, "tenantID", "tenantID is required") }
        return azure
    }

    private static func decodeSCEP(_ reader: ObjectReader, _ problems: inout ProvisionerProblems) -> SCEPProvisioner {
        let scep = SCEPProvisioner(
            forceCN: reader.bool("forceCN") ?? false, challenge: reader.string("challenge"),
            capabilities: reader.strings("capabilities") ?? [], includeRoot: reader.bool("includeRoot") ?? false,
            excludeIntermediate: reader.bool("excludeIntermediate") ?? false,
            minimumPublicKeyLength: reader.int("minimumPublicKeyLength"),
            decrypterCertificatePEM: reader.base64("decrypterCertificate"),
            decrypterKeyPEM: reader.base64("decrypterKeyPEM"),
            decrypterKeyURI: reader.string("decrypterKey").flatMap { $0.isEmpty ? nil : $0 },
            decrypterKeyPassword: reader.string("decrypterKeyPassword"),
            encryptionAlgorithmIdentifier: reader.int("encryptionAlgorithmIdentifier"))
        if let length = scep.minimumPublicKeyLength, length < 0 || length % 8 != 0 {
            problems.add(reader, "minimumPublicKeyLength",
                         "minimumPublicKeyLength \(length) must be a non-negative multiple of 8")
        }
        if let algorithm = scep.encryptionAlgorithmIdentifier, !(0...4).contains(algorithm) {
            problems.add(reader, "encryptionAlgorithmIdentifier",
                         "encryptionAlgorithmIdentifier \(algorithm) is not in 0...4")
        }
        return scep
    }

    /// A base64-encoded PEM bundle that must hold at least one block of `label`.
    private static func pemBundle(_ reader: ObjectReader, _ key: String, _ label: String,
                                  _ problems: inout ProvisionerProblems) -> Data {
        guard reader.value(key) != nil else {
            problems.add(reader, key, "\(key) is required")
            return Data()
        }
        guard let data = reader.base64(key) else { return Data() }
        let text = String(decoding: data, as: UTF8.self)
        if !(text.contains("-----BEGIN ") && text.contains(label)) {
            problems.add(reader, key, "\(key) holds no PEM \(label) block")
        }
        return data
    }
}
