import Foundation
import StepConfig
import Testing

/// One broken variant of the base configuration and the error it must produce.
struct BrokenCase: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let code: ConfigError.Code
    let path: String
    let fragment: String

    init(_ name: String, _ edits: [ConfigMutation.Edit], _ code: ConfigError.Code, at path: String,
         _ fragment: String) {
        self.init(name, raw: ConfigMutation.json(edits), code, at: path, fragment)
    }

    init(_ name: String, raw: String, _ code: ConfigError.Code, at path: String, _ fragment: String) {
        self.name = name
        self.json = raw
        self.code = code
        self.path = path
        self.fragment = fragment
    }

    var testDescription: String { name }
}

@Suite("Broken configurations name the JSON path")
struct BrokenConfigTests {
    static let jwk: [String: Any] = ["kty": "EC", "crv": "P-256", "kid": "kid-2", "x": "CC", "y": "DD"]
    static let p0 = "authority.provisioners[0]"

    static let cases: [BrokenCase] = [
        BrokenCase("unknown duration unit", [.set("\(p0).claims.maxTLSCertDuration", "1x")],
                   .invalidDuration, at: "\(p0).claims.maxTLSCertDuration", #"invalid duration "1x": unknown unit "x""#),
        BrokenCase("duration without unit", [.set("authority.claims.defaultTLSCertDuration", "24")],
                   .invalidDuration, at: "authority.claims.defaultTLSCertDuration", "missing unit"),
        BrokenCase("duration as a number", [.set("authority.claims.minTLSCertDuration", 300)],
                   .typeMismatch, at: "authority.claims.minTLSCertDuration", "expected a string, found a number"),
        BrokenCase("address missing", [.set("address", nil)],
                   .missingValue, at: "address", "address is required"),
        BrokenCase("address empty", [.set("address", "")], .missingValue, at: "address", "cannot be empty"),
        BrokenCase("address without port", [.set("address", "localhost")],
                   .invalidValue, at: "address", "missing port in address"),
        BrokenCase("address with too many colons", [.set("address", "::1:443")],
                   .invalidValue, at: "address", "too many colons in address"),
        BrokenCase("address as a number", [.set("address", 9443)],
                   .typeMismatch, at: "address", "expected a string, found a number"),
        BrokenCase("insecureAddress without port", [.set("insecureAddress", "8080")],
                   .invalidValue, at: "insecureAddress", "missing port"),
        BrokenCase("metricsAddress without port", [.set("metricsAddress", "9100")],
                   .invalidValue, at: "metricsAddress", "missing port"),
        BrokenCase("root missing", [.set("root", nil)], .missingValue, at: "root", "root is required"),
        BrokenCase("root empty list", [.set("root", [String]())], .missingValue, at: "root", "root is required"),
        BrokenCase("root list with an empty path", [.set("root", ["certs/root_ca.crt", ""])],
                   .missingValue, at: "root[1]", "root cannot be empty"),
        BrokenCase("root as an object", [.set("root", ["path": "x"])],
                   .typeMismatch, at: "root", "expected a string or an array of strings"),
        BrokenCase("crt missing", [.set("crt", nil)], .missingValue, at: "crt", "crt is required"),
        BrokenCase("crt as a number", [.set("crt", 1)], .typeMismatch, at: "crt", "expected a string"),
        BrokenCase("key missing", [.set("key", nil)], .missingValue, at: "key", "key is required"),
        BrokenCase("federatedRoots as a string", [.set("federatedRoots", "certs/other.crt")],
                   .typeMismatch, at: "federatedRoots", "expected an array of strings, found a string"),
        BrokenCase("dnsNames empty", [.set("dnsNames", [String]())],
                   .invalidValue, at: "dnsNames", "dnsNames cannot be empty"),
        BrokenCase("dnsNames with a number", [.set("dnsNames", ["localhost", 5] as [Any])],
                   .typeMismatch, at: "dnsNames[1]", "expected a string"),
        BrokenCase("kms as a string", [.set("kms", "pkcs11")], .typeMismatch, at: "kms", "expected an object"),
        BrokenCase("provisioner without name", [.set("\(p0).name", nil)],
                   .missingValue, at: "\(p0).name", "provisioner name is required"),
        BrokenCase("provisioner without type", [.set("\(p0).type", nil)],
                   .missingValue, at: "\(p0).type", "provisioner type is required"),
        BrokenCase("provisioner type as a number", [.set("\(p0).type", 1)],
                   .typeMismatch, at: "\(p0).type", "expected a string"),
        BrokenCase("JWK provisioner without key", [.set("\(p0).key", nil)],
                   .missingValue, at: "\(p0).key", "JWK provisioner key is required"),
        BrokenCase("JWK key as a string", [.set("\(p0).key", "abc")],
                   .typeMismatch, at: "\(p0).key", "expected a JSON Web Key object"),
        BrokenCase("JWK key without kty", [.set("\(p0).key.kty", nil)],
                   .missingValue, at: "\(p0).key.kty", "kty is required"),
        BrokenCase("provisioners as an object", [.set("authority.provisioners", ["a": 1])],
                   .typeMismatch, at: "authority.provisioners", "expected an array"),
        BrokenCase("duplicate provisioner names",
                   [.append("authority.provisioners", ["type": "JWK", "name": "admin", "key": jwk])],
                   .duplicateProvisioner, at: "authority.provisioners[1].name",
                   #"duplicate provisioner name "admin"; also used at authority.provisioners[0].name"#),
        BrokenCase("duplicate OIDC client ids", [
            .append("authority.provisioners", ["type": "OIDC", "name": "a", "clientID": "same",
                                               "configurationEndpoint": "https://a/.well-known/openid-configuration"]),
            .append("authority.provisioners", ["type": "oidc", "name": "b", "clientID": "same",
                                               "configurationEndpoint": "https://b/.well-known/openid-configuration"]),
        ], .duplicateProvisioner, at: "authority.provisioners[2]", "also used by authority.provisioners[1]"),
        BrokenCase("two K8sSA provisioners", [
            .append("authority.provisioners", ["type": "K8sSA", "name": "k1", "publicKeys": ""]),
            .append("authority.provisioners", ["type": "k8ssa", "name": "k2", "publicKeys": ""]),
        ], .conflict, at: "authority.provisioners[2].type", "more than one kubernetes service account provisioner"),
        BrokenCase("X5C roots not base64",
                   [.append("authority.provisioners", ["type": "X5C", "name": "x5c", "roots": "not base64!"])],
                   .invalidValue, at: "authority.provisioners[1].roots", "invalid base64"),
        BrokenCase("SCEP key length with a fraction",
                   [.append("authority.provisioners", ["type": "SCEP", "name": "scep", "minimumPublicKeyLength": 2048.5])],
                   .typeMismatch, at: "authority.provisioners[1].minimumPublicKeyLength", "expected an integer"),
        BrokenCase("GCP instance age", [.append("authority.provisioners", ["type": "GCP", "name": "g", "instanceAge": "1 hour"])],
                   .invalidDuration, at: "authority.provisioners[1].instanceAge", #"unknown unit " hour""#),
        BrokenCase("claims boolean as a string", [.set("\(p0).claims.enableSSHCA", "yes")],
                   .typeMismatch, at: "\(p0).claims.enableSSHCA", "expected true or false"),
        BrokenCase("authority claims max below min",
                   [.set("authority.claims.minTLSCertDuration", "2h"), .set("authority.claims.maxTLSCertDuration", "1h")],
                   .invalidClaims, at: "authority.claims.maxTLSCertDuration",
                   "maxTLSCertDuration 1h0m0s is less than minTLSCertDuration 2h0m0s"),
        BrokenCase("authority claims zero default", [.set("authority.claims.defaultTLSCertDuration", "0s")],
                   .invalidClaims, at: "authority.claims.defaultTLSCertDuration", "must be greater than 0"),
        BrokenCase("authority claims default above max",
                   [.set("authority.claims.maxTLSCertDuration", "12h"), .set("authority.claims.defaultTLSCertDuration", "48h")],
                   .invalidClaims, at: "authority.claims.defaultTLSCertDuration",
                   "defaultTLSCertDuration 48h0m0s is greater than maxTLSCertDuration 12h0m0s"),
        BrokenCase("negative backdate", [.set("authority.backdate", "-1m")],
                   .invalidValue, at: "authority.backdate", "backdate cannot be less than 0"),
        BrokenCase("unsupported RA type", [.set("authority.type", "magiccas")],
                   .invalidValue, at: "authority.type", "unsupported cas type"),
        BrokenCase("RA issuer without type",
                   [.set("authority.type", "stepcas"), .set("authority.certificateIssuer.provisioner", "ra")],
                   .missingValue, at: "authority.certificateIssuer.type", "type is required"),
        BrokenCase("tls min above max", [.set("tls.minVersion", 1.3), .set("tls.maxVersion", 1.2)],
                   .conflict, at: "tls.minVersion", "tls minVersion 1.3 cannot exceed tls maxVersion 1.2"),
        BrokenCase("tls version 1.4", [.set("tls.maxVersion", 1.4)],
                   .invalidValue, at: "tls.maxVersion", "1.4 is not a valid tls version"),
        BrokenCase("tls version as a string", [.set("tls.minVersion", "1.2")],
                   .typeMismatch, at: "tls.minVersion", "expected a number"),
        BrokenCase("unknown cipher suite", [.set("tls.cipherSuites", ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA265"])],
                   .invalidValue, at: "tls.cipherSuites[0]",
                   #"did you mean "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"?"#),
        BrokenCase("logger format", [.set("logger.format", "xml")],
                   .invalidValue, at: "logger.format", #"unsupported logger format "xml""#),
        BrokenCase("db without type", [.set("db.type", nil)], .missingValue, at: "db.type", "db.type is required"),
        BrokenCase("db without dataSource", [.set("db.dataSource", nil)],
                   .missingValue, at: "db.dataSource", "db.dataSource is required"),
        BrokenCase("crl renewPeriod above cacheDuration",
                   [.set("crl.enabled", true), .set("crl.cacheDuration", "1h"), .set("crl.renewPeriod", "2h")],
                   .conflict, at: "crl.renewPeriod", "renewPeriod 2h0m0s cannot exceed cacheDuration 1h0m0s"),
        BrokenCase("crl renewPeriod above the default cacheDuration",
                   [.set("crl.enabled", true), .set("crl.renewPeriod", "25h")],
                   .conflict, at: "crl.renewPeriod", "cannot exceed cacheDuration 24h0m0s"),
        BrokenCase("crl negative cacheDuration", [.set("crl.cacheDuration", "-1h")],
                   .invalidValue, at: "crl.cacheDuration", "greater than or equal to 0"),
        BrokenCase("crl without a database", [.set("crl.enabled", true), .set("db", nil)],
                   .conflict, at: "crl.enabled", "requires a database"),
        BrokenCase("ssh key of unknown type",
                   [.set("ssh.keys", [["type": "both", "key": jwk]])],
                   .invalidValue, at: "ssh.keys[0].type", "it must be user or host"),
        BrokenCase("ssh key that is private",
                   [.set("ssh.keys", [["type": "user", "key": jwk.merging(["d": "secret"]) { $1 }]])],
                   .invalidValue, at: "ssh.keys[0].key", "must be a public key"),
        BrokenCase("template without path",
                   [.set("templates.ssh.user", [["name": "config.tpl", "type": "snippet", "template": "t.tpl"]])],
                   .missingValue, at: "templates.ssh.user[0].path", "path is required"),
        BrokenCase("template of unknown type",
                   [.set("templates.ssh.host", [["name": "x", "type": "link", "template": "t.tpl", "path": "/x"]])],
                   .invalidValue, at: "templates.ssh.host[0].type", #"invalid template type "link""#),
        BrokenCase("template data defining Step", [.set("templates.data.Step", "x")],
                   .invalidValue, at: "templates.data.Step", "cannot define \"Step\""),
        BrokenCase("top level is an array", raw: "[]", .typeMismatch, at: "$", "expected a JSON object at the top level"),
        BrokenCase("missing comma", raw: "{\n  \"address\": \":443\"\n  \"root\": \"a\"\n}", .invalidJSON, at: "$",
                   "ca.json:3:3: invalid JSON: unexpected character '\"' after object member; expected ',' or '}'"),
        BrokenCase("trailing comma", raw: "{\"address\": \":443\",\n}", .invalidJSON, at: "$",
                   "ca.json:2:1: invalid JSON: trailing comma before '}'"),
        BrokenCase("unterminated string", raw: "{\n\t\"address\": \":443\n}", .invalidJSON, at: "$",
                   "ca.json:2:18: invalid JSON: control character 0x0A in string"),
        BrokenCase("empty file", raw: "", .invalidJSON, at: "$", "ca.json:1:1: invalid JSON: unexpected end of input"),
    ]

    @Test("each broken variant fails at the right path", arguments: cases)
    func fails(_ broken: BrokenCase) {
        do {
            let (_, warnings) = try CAConfig.parse(Data(broken.json.utf8), file: "config/ca.json",
                                                   stepPath: TestFiles.stepPath)
            Issue.record("expected an error, got a configuration (warnings: \(warnings))")
        } catch {
            #expect(error.code == broken.code, "\(error)")
            #expect(error.path.description == broken.path, "\(error)")
            #expect(error.file == "config/ca.json")
            #expect(error.message.contains(broken.fragment), "\(error.message)")
            if broken.code != .invalidJSON && !error.path.isRoot {
                #expect(error.message.hasPrefix("config/ca.json: \(broken.path): "), "\(error.message)")
            }
        }
    }

    @Test("the documented example message, verbatim")
    func verbatimMessage() {
        let json = ConfigMutation.json([.set("authority.provisioners[0].claims.maxTLSCertDuration", "1x")])
        #expect(throws: ConfigError.self) {
            try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
        }
        do {
            _ = try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
        } catch {
            #expect(error.description == #"config/ca.json: authority.provisioners[0].claims.maxTLSCertDuration: invalid duration "1x": unknown unit "x""#)
            #expect(error.line != nil && error.column != nil)
        }
    }

    @Test("several problems are all reported, in document order")
    func severalErrors() {
        let json = ConfigMutation.json([.set("address", nil), .set("crt", 5), .set("tls.maxVersion", 2)])
        do {
            _ = try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
            Issue.record("expected errors")
        } catch {
            let paths = error.allErrors.map(\.path.description)
            #expect(Set(paths) == ["address", "crt", "tls.maxVersion"])
            #expect(error.description.split(separator: "\n").count == 3)
        }
    }

    @Test("a missing key mentions the misspelt key beside it")
    func misspeltRequiredKey() {
        let json = ConfigMutation.json([.set("address", nil), .set("adress", ":443")])
        do {
            _ = try CAConfig.parse(Data(json.utf8), file: "config/ca.json", stepPath: TestFiles.stepPath)
            Issue.record("expected an error")
        } catch {
            #expect(error.path.description == "address")
            #expect(error.reason.contains(#"found unknown key "adress" instead"#))
            #expect(error.warnings.map(\.description) == [#"config/ca.json: adress: unknown key; did you mean "address"?"#])
        }
    }

    @Test("invalid JSON positions count characters, not bytes")
    func positionsCountCharacters() {
        do {
            _ = try CAConfig.parse(Data("{\"commonName\": \"Ünïcødé CA\" x}".utf8), stepPath: TestFiles.stepPath)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 1)
            #expect(error.column == 29)
        }
    }

    @Test("an unreadable file is an error naming it")
    func unreadable() {
        #expect(throws: ConfigError.self) {
            try CAConfig.load(path: "/nonexistent/config/ca.json", stepPath: StepPath("/nonexistent"))
        }
        do {
            _ = try CAConfig.load(path: "/nonexistent/config/ca.json", stepPath: StepPath("/nonexistent"))
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.file == "config/ca.json")
        }
    }
}
