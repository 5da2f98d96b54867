import Foundation
import StepConfig
import Testing

@Suite("JSON reading: escapes, raw text, Go's value rules")
struct JSONReadingTests {
    let steps = TestFiles.stepPath

    @Test("string escapes and surrogate pairs decode as in Go")
    func escapes() throws {
        let json = ConfigMutation.json([]).replacingOccurrences(
            of: "\"address\"", with: #""commonName": "A\u00e9\ud83d\ude00\t\"q\"\/\\", "password": "\ud800x", "address""#)
        let config = try CAConfig.parse(Data(json.utf8), stepPath: steps).config
        #expect(config.commonName == "Aé😀\t\"q\"/\\")
        #expect(config.password == "\u{FFFD}x")  // a lone surrogate becomes U+FFFD
    }

    @Test("raw JSON of kms, db and provisioners is the file's exact text")
    func rawText() throws {
        let kms = #"{ "type" : "softkms",   "uri":"softkms:"  }"#
        let text = """
        {"root": "r", "crt": "c", "key": "k", "address": ":443",
         "kms": \(kms),
         "authority": {"provisioners": [ {"type":"ACME","name":"acme",  "forceCN":true} ]}}
        """
        let config = try CAConfig.parse(Data(text.utf8), stepPath: steps).config
        #expect(config.kms?.rawJSON == kms)
        #expect(config.kms?.effectiveType == "softkms")
        #expect(config.authority.provisioners.first?.rawJSON == #"{"type":"ACME","name":"acme",  "forceCN":true}"#)
    }

    @Test("null means absent: dnsNames default, federatedRoots nil")
    func nulls() throws {
        let json = ConfigMutation.json([.set("dnsNames", NSNull()), .set("federatedRoots", NSNull()),
                                        .set("logger", NSNull()), .set("tls", NSNull())])
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: steps)
        #expect(warnings.isEmpty)
        #expect(config.dnsNames == ["localhost", "127.0.0.1", "::1"])
        #expect(config.federatedRoots == nil)
        #expect(config.logger == nil)
        #expect(config.tls == .default)
    }

    @Test("defaults injected into a partial tls object")
    func tlsDefaults() throws {
        let json = ConfigMutation.json([.set("tls", ["minVersion": 1.3, "renegotiation": true])])
        let tls = try CAConfig.parse(Data(json.utf8), stepPath: steps).config.tls
        #expect(tls == TLSOptions(cipherSuites: TLSOptions.defaultCipherSuites, minVersion: .tls1_3,
                                  maxVersion: .tls1_3, renegotiation: true))
        let zero = ConfigMutation.json([.set("tls", ["minVersion": 0, "maxVersion": 0, "cipherSuites": [String]()])])
        #expect(try CAConfig.parse(Data(zero.utf8), stepPath: steps).config.tls == .default)
        let legacy = ConfigMutation.json([.set("tls.minVersion", 1), .set("tls.maxVersion", 1.1)])
        let old = try CAConfig.parse(Data(legacy.utf8), stepPath: steps).config.tls
        #expect(old.minVersion == .tls1_0 && old.maxVersion == .tls1_1)
    }

    @Test("defaults: commonName, backdate, insecureAddress, CRL cache")
    func defaults() throws {
        let json = ConfigMutation.json([.set("commonName", ""), .set("insecureAddress", ""), .set("crl.enabled", true)])
        let config = try CAConfig.parse(Data(json.utf8), stepPath: steps).config
        #expect(config.commonName == "Step Online CA")
        #expect(config.insecureAddress == nil)
        #expect(config.authority.backdate == .minute)
        #expect(config.crl?.effectiveCacheDuration == .hours(24))
        #expect(config.crl?.effectiveRenewPeriod == .hours(16))
    }

    @Test("registration authorities need no root, crt or key")
    func registrationAuthority() throws {
        let json = ConfigMutation.json([
            .set("root", nil), .set("crt", nil), .set("key", nil),
            .set("authority.type", "StepCAS"), .set("authority.certificateAuthority", "https://ca.example.com"),
            .set("authority.certificateAuthorityFingerprint", "1daed69f"),
            .set("authority.certificateIssuer", ["type": "jwk", "provisioner": "ra@example.com",
                                                 "key": "/etc/step/ra.key", "password": "pw"]),
            .set("authority.credentialsFile", "/etc/step/creds.json"),
            .set("authority.config", ["vault": ["address": "https://vault:8200"]]),
        ])
        let authority = try CAConfig.parse(Data(json.utf8), stepPath: steps).config.authority
        #expect(authority.isRegistrationAuthority)
        #expect(authority.certificateIssuer == CertificateIssuerConfig(type: "jwk", provisioner: "ra@example.com",
                                                                      key: "/etc/step/ra.key", password: "pw"))
        #expect(authority.credentialsFile == "/etc/step/creds.json")
        #expect(authority.configJSON?.contains("https:\\/\\/vault:8200") == true
                || authority.configJSON?.contains("https://vault:8200") == true)
    }

    @Test("base64 fields skip line breaks, as Go's decoder does")
    func base64LineBreaks() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        let encoded = Data(pem.utf8).base64EncodedString()
        let wrapped = String(encoded.prefix(20)) + "\r\n" + String(encoded.dropFirst(20))
        let json = ConfigMutation.json([.append("authority.provisioners", ["type": "X5C", "name": "x5c",
                                                                           "roots": wrapped])])
        let (config, warnings) = try CAConfig.parse(Data(json.utf8), stepPath: steps)
        #expect(warnings.isEmpty)
        guard case .x5c(let x5c) = config.authority.provisioners[1].details else {
            Issue.record("expected X5C")
            return
        }
        #expect(String(decoding: x5c.rootsPEM, as: UTF8.self) == pem)
    }

    @Test("JSON paths print and parse")
    func paths() {
        let path = JSONPath("authority.provisioners[0].claims.maxTLSCertDuration")
        #expect(path.components == [.key("authority"), .key("provisioners"), .index(0), .key("claims"),
                                    .key("maxTLSCertDuration")])
        #expect(path.description == "authority.provisioners[0].claims.maxTLSCertDuration")
        let odd = JSONPath.root.appending("templates").appending("data").appending("my key")
        #expect(odd.description == #"templates.data["my key"]"#)
        #expect(JSONPath(odd.description) == odd)
        #expect(JSONPath.root.description == "$")
    }
}
