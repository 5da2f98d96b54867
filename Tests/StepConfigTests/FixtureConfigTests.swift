import Foundation
import StepConfig
import Testing

@Suite("ca.json written by step ca init (step-ca 0.19)")
struct FixtureConfigTests {
    let stepPath = StepPath(TestFiles.fixtureStepPath)

    func load() throws -> (config: CAConfig, warnings: [ConfigWarning]) {
        try CAConfig.load(path: stepPath.directory + "/config/ca.json", stepPath: stepPath)
    }

    @Test("loads without warnings and resolves paths against the fixture STEPPATH")
    func loads() throws {
        let (config, warnings) = try load()
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(config.fileName == "config/ca.json")
        #expect(config.root == [stepPath.directory + "/certs/root_ca.crt"])
        #expect(config.federatedRoots == nil)
        #expect(config.crt == stepPath.directory + "/certs/intermediate_ca.crt")
        #expect(config.key == stepPath.directory + "/secrets/intermediate_ca_key")
        #expect(FileManager.default.fileExists(atPath: config.root[0]))
        #expect(FileManager.default.fileExists(atPath: config.crt!))
        #expect(FileManager.default.fileExists(atPath: config.key!))
        #expect(config.address == "127.0.0.1:9443")
        #expect(config.insecureAddress == nil)
        #expect(config.dnsNames == ["localhost"])
        #expect(config.logger == LoggerConfig(format: .text))
        #expect(config.kms == nil)
        #expect(config.ssh == nil)
        #expect(config.commonName == "Step Online CA")
        #expect(config.crl == nil)
        #expect(config.templates == nil)
    }

    @Test("db, tls and defaults")
    func sections() throws {
        let config = try load().config
        let db = try #require(config.db)
        #expect(db.type == "badgerv2")
        #expect(db.dataSource == "db")  // only sqlite data sources are file paths resolved by us
        #expect(db.badgerFileLoadingMode == "")
        #expect(db.rawJSON.contains("\"badgerFileLoadingMode\": \"\""))
        #expect(config.tls == TLSOptions.default)
        #expect(config.tls.cipherSuiteCodes == [0xCCA9, 0xC02B])
        #expect(config.authority.backdate == .minute)
        #expect(config.authority.enableAdmin == false)
        #expect(config.authority.isRegistrationAuthority == false)
    }

    @Test("the JWK provisioner")
    func provisioner() throws {
        let config = try load().config
        #expect(config.authority.provisioners.count == 1)
        let provisioner = try #require(config.authority.provisioners.first)
        #expect(provisioner.type == .jwk)
        #expect(provisioner.typeName == "JWK")
        #expect(provisioner.name == "anchor@example.com")
        #expect(provisioner.path.description == "authority.provisioners[0]")
        #expect(provisioner.id == "anchor@example.com:MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE")
        #expect(provisioner.uninitializedReason == nil)
        guard case .jwk(let jwk) = provisioner.details else {
            Issue.record("expected JWK details")
            return
        }
        #expect(jwk.key.keyID == "MOMRX1jPi43DMlT_pkEx0iHAtHhV9JldpSUIc94XxgE")
        #expect(jwk.key.keyType == "EC")
        #expect(jwk.key.curve == "P-256")
        #expect(jwk.key.algorithm == "ES256")
        #expect(jwk.key.use == "sig")
        #expect(!jwk.key.hasPrivateMembers)
        #expect(jwk.encryptedKey?.hasPrefix("eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJjdHkiOiJqd2sranNvbiIs") == true)
        // The raw texts are the file's own bytes.
        let file = try String(contentsOfFile: stepPath.directory + "/config/ca.json", encoding: .utf8)
        #expect(file.contains(provisioner.rawJSON))
        #expect(file.contains(jwk.key.rawJSON))
        #expect(provisioner.rawJSON.hasPrefix("{\n\t\t\t\t\"type\": \"JWK\""))
        #expect(try config.effectiveClaims(for: provisioner) == .builtIn)
    }
}
