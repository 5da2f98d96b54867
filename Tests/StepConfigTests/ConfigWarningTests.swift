import Foundation
import StepConfig
import Testing

/// A variant that still loads but must produce a particular warning.
struct WarningCase: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let code: ConfigWarning.Code
    let path: String
    let suggestion: String?
    let fragment: String

    init(_ name: String, _ edits: [ConfigMutation.Edit], _ code: ConfigWarning.Code, at path: String,
         suggestion: String? = nil, _ fragment: String) {
        self.init(name, raw: ConfigMutation.json(edits), code, at: path, suggestion: suggestion, fragment)
    }

    init(_ name: String, raw: String, _ code: ConfigWarning.Code, at path: String, suggestion: String? = nil,
         _ fragment: String) {
        self.name = name
        self.json = raw
        self.code = code
        self.path = path
        self.suggestion = suggestion
        self.fragment = fragment
    }

    var testDescription: String { name }
}

@Suite("Warnings: unknown keys, skipped and uninitialized provisioners")
struct ConfigWarningTests {
    static let p0 = "authority.provisioners[0]"

    static let cases: [WarningCase] = [
        WarningCase("misspelt provisioners", [.set("authority.provisoners", [Any]())], .unknownKey,
                    at: "authority.provisoners", suggestion: "provisioners",
                    #"config/ca.json: authority.provisoners: unknown key; did you mean "provisioners"?"#),
        WarningCase("misspelt insecureAddress", [.set("insecureAdress", ":80")], .unknownKey,
                    at: "insecureAdress", suggestion: "insecureAddress", #"did you mean "insecureAddress"?"#),
        WarningCase("singular dnsName", [.set("dnsName", ["x"])], .unknownKey,
                    at: "dnsName", suggestion: "dnsNames", #"did you mean "dnsNames"?"#),
        WarningCase("short claim name", [.set("\(p0).claims.maxTLSDuration", "1h")], .unknownKey,
                    at: "\(p0).claims.maxTLSDuration", suggestion: "maxTLSCertDuration",
                    #"did you mean "maxTLSCertDuration"?"#),
        WarningCase("misspelt policy list", [.set("authority.policy.x509.allow.dsn", ["a.example.com"])], .unknownKey,
                    at: "authority.policy.x509.allow.dsn", suggestion: "dns", #"did you mean "dns"?"#),
        WarningCase("unrelated key", [.set("foo", 1)], .unknownKey, at: "foo", "foo: unknown key"),
        WarningCase("logger level (not a step-ca key)", [.set("logger.level", "info")], .unknownKey,
                    at: "logger.level", "logger.level: unknown key"),
        WarningCase("kms key for another product", [.set("kms.slot", "9c"), .set("kms.type", "yubikey")], .unknownKey,
                    at: "kms.slot", "kms.slot: unknown key"),
        WarningCase("options on SSHPOP", [.append("authority.provisioners", ["type": "SSHPOP", "name": "sshpop",
                                                                             "options": ["x509": [:] as [String: Any]]])],
                    .unknownKey, at: "authority.provisioners[1].options", "unknown key"),
        WarningCase("key in different case", [.set("address", nil), .set("ADDRESS", ":443")], .keyCaseMismatch,
                    at: "ADDRESS", suggestion: "address", "accepted ignoring case"),
        WarningCase("unknown provisioner type",
                    [.append("authority.provisioners", ["type": "JKW", "name": "typo"])],
                    .unknownProvisionerType, at: "authority.provisioners[1].type", suggestion: "JWK",
                    #"unknown provisioner type "JKW"; step-ca skips this provisioner; did you mean "JWK"?"#),
        WarningCase("OIDC without clientID",
                    [.append("authority.provisioners", ["type": "OIDC", "name": "oidc",
                                                        "configurationEndpoint": "https://idp/.well-known/openid-configuration"])],
                    .provisionerUninitialized, at: "authority.provisioners[1].clientID", "clientID is required"),
        WarningCase("Azure without tenantID", [.append("authority.provisioners", ["type": "Azure", "name": "azure"])],
                    .provisionerUninitialized, at: "authority.provisioners[1].tenantID", "tenantID is required"),
        WarningCase("X5C without roots", [.append("authority.provisioners", ["type": "X5C", "name": "x5c"])],
                    .provisionerUninitialized, at: "authority.provisioners[1].roots", "roots is required"),
        WarningCase("ACME unknown challenge",
                    [.append("authority.provisioners", ["type": "ACME", "name": "acme", "challenges": ["http-02"]])],
                    .provisionerUninitialized, at: "authority.provisioners[1].challenges[0]",
                    #"acme challenge "http-02" is not supported"#),
        WarningCase("GCP projects and organization",
                    [.append("authority.provisioners", ["type": "GCP", "name": "gcp", "projectIDs": ["p"],
                                                        "organizationID": "o"])],
                    .provisionerUninitialized, at: "authority.provisioners[1].organizationID", "cannot both be set"),
        WarningCase("SCEP key length not a multiple of 8",
                    [.append("authority.provisioners", ["type": "SCEP", "name": "scep", "minimumPublicKeyLength": 2047])],
                    .provisionerUninitialized, at: "authority.provisioners[1].minimumPublicKeyLength", "multiple of 8"),
        WarningCase("webhook over http",
                    [.set("\(p0).options.webhooks", [["name": "w", "kind": "AUTHORIZING", "url": "http://hook"]])],
                    .provisionerUninitialized, at: "\(p0).options.webhooks[0].url", "must use https"),
        WarningCase("provisioner claims out of order",
                    [.set("\(p0).claims.minTLSCertDuration", "2h"), .set("\(p0).claims.maxTLSCertDuration", "1h")],
                    .provisionerUninitialized, at: "\(p0).claims.maxTLSCertDuration",
                    "maxTLSCertDuration 1h0m0s is less than minTLSCertDuration 2h0m0s"),
        WarningCase("provisioner default below an explicit min",
                    [.set("\(p0).claims.minTLSCertDuration", "1h"), .set("\(p0).claims.defaultTLSCertDuration", "30m")],
                    .provisionerUninitialized, at: "\(p0).claims.defaultTLSCertDuration",
                    "defaultTLSCertDuration 30m0s is less than minTLSCertDuration 1h0m0s"),
        WarningCase("duplicate key", raw: """
            {"root": "r", "crt": "c", "key": "k", "address": ":1", "address": ":443"}
            """, .duplicateKey, at: "address", "duplicate key; the last value is used"),
        WarningCase("text after the document", raw: """
            {"root": "r", "crt": "c", "key": "k", "address": ":443"} trailing
            """, .trailingContent, at: "$", "content after the JSON document is ignored"),
    ]

    @Test("each variant loads and warns at the right path", arguments: cases)
    func warns(_ warning: WarningCase) throws {
        let (_, warnings) = try CAConfig.parse(Data(warning.json.utf8), file: "config/ca.json",
                                               stepPath: TestFiles.stepPath)
        let match = warnings.first { $0.path.description == warning.path && $0.code == warning.code }
        #expect(match != nil, "got \(warnings.map(\.description))")
        #expect(match?.suggestion == warning.suggestion)
        #expect(match?.description.contains(warning.fragment) == true, "\(match?.description ?? "")")
        #expect(match?.file == "config/ca.json")
    }

    @Test("unknown provisioner types are skipped; indexes keep the file's positions")
    func skippedProvisioner() throws {
        let json = ConfigMutation.json([
            .append("authority.provisioners", ["type": "Vault", "name": "future"]),
            .append("authority.provisioners", ["type": "sshpop", "name": "sshpop"]),
        ])
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: TestFiles.stepPath)
        #expect(config.authority.provisioners.map(\.name) == ["admin", "sshpop"])
        #expect(config.authority.provisioners.map(\.index) == [0, 2])
        #expect(config.authority.provisioners[1].path.description == "authority.provisioners[2]")
        #expect(warnings.map(\.code) == [.unknownProvisionerType, .provisionerUninitialized])
        #expect(warnings.last?.path.description == "authority.provisioners[2].type")
        #expect(config.authority.provisioners[1].uninitializedReason?.contains("SSHPOP needs SSH keys") == true)
    }

    @Test("an uninitialized provisioner carries the reason")
    func uninitializedReason() throws {
        let json = ConfigMutation.json([
            .set("authority.provisioners[0].claims.defaultTLSCertDuration", "48h"),
            .set("authority.provisioners[0].claims.maxTLSCertDuration", "24h"),
            .append("authority.provisioners", ["type": "Azure", "name": "azure"]),
        ])
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: TestFiles.stepPath)
        #expect(warnings.count == 2)
        let jwk = config.authority.provisioners[0]
        let azure = config.authority.provisioners[1]
        #expect(jwk.uninitializedReason
                == "authority.provisioners[0].claims.defaultTLSCertDuration: defaultTLSCertDuration 48h0m0s "
                + "is greater than maxTLSCertDuration 24h0m0s")
        #expect(azure.uninitializedReason == "authority.provisioners[1].tenantID: tenantID is required")
        #expect(throws: ConfigError.self) { try config.effectiveClaims(for: jwk) }
    }

    @Test("known keys in case-insensitive spelling are used, as Go does")
    func caseInsensitiveKeys() throws {
        let json = #"{"Root": "r", "CRT": "c", "Key": "k", "Address": ":443", "DNSNames": ["ca"]}"#
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: TestFiles.stepPath)
        #expect(config.address == ":443")
        #expect(config.dnsNames == ["ca"])
        #expect(config.root == ["/srv/step/r"])
        #expect(warnings.count == 5)
        #expect(warnings.allSatisfy { $0.code == .keyCaseMismatch })
    }
}
