import Foundation
import StepConfig
import Testing

@Suite("Relative paths resolve against STEPPATH as step does")
struct PathResolutionTests {
    let steps = TestFiles.stepPath

    static let resolutions: [(String, String)] = [
        ("certs/root_ca.crt", "/srv/step/certs/root_ca.crt"),
        ("/etc/step/root.crt", "/etc/step/root.crt"),
        ("~/certs/root.crt", "/home/ca/certs/root.crt"),
        ("./certs/root.crt", "/work/dir/certs/root.crt"),
        ("../certs/root.crt", "/work/certs/root.crt"),
        ("a/../b/./c.crt", "/srv/step/b/c.crt"),
        ("a//b///c.crt", "/srv/step/a/b/c.crt"),
        ("../../../../x", "/x"),
        ("", ""),
    ]

    @Test("step.Abs rules", arguments: resolutions)
    func resolves(_ input: String, expected: String) {
        #expect(steps.resolve(input) == expected)
    }

    static let keyURIs = [
        "pkcs11:id=7331;object=intermediate-key", "yubikey:slot-id=9c", "awskms:key-id=1234",
        "cloudkms:projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1",
        "azurekms:name=my-key;vault=my-vault", "tpmkms:name=my-key", "sshagentkms:user@host",
        "softkms:path=secrets/key",
    ]

    @Test("key-manager URIs are left alone in key, crt and ssh keys", arguments: keyURIs)
    func keyManagerURIs(_ uri: String) throws {
        let json = ConfigMutation.json([.set("key", uri), .set("crt", uri), .set("ssh.hostKey", uri),
                                        .set("ssh.userKey", uri)])
        let config = try CAConfig.parse(Data(json.utf8), stepPath: steps).config
        #expect(config.key == uri)
        #expect(config.crt == uri)
        #expect(config.ssh?.hostKey == uri)
        #expect(config.ssh?.userKey == uri)
    }

    @Test("every path-valued field is resolved")
    func everyField() throws {
        let json = ConfigMutation.json([
            .set("root", ["certs/a.crt", "/abs/b.crt"]),
            .set("federatedRoots", ["certs/fed.crt"]),
            .set("ssh.hostKey", "secrets/ssh_host_ca_key"),
            .set("ssh.userKey", "secrets/ssh_user_ca_key"),
            .set("authority.provisioners[0].options.x509.templateFile", "templates/x509.tpl"),
            .set("authority.provisioners[0].options.ssh.templateFile", "templates/ssh.tpl"),
            .set("templates.ssh.user", [["name": "c", "type": "snippet", "template": "templates/ssh/config.tpl",
                                         "path": "~/.ssh/config"]]),
        ])
        let config = try CAConfig.parse(Data(json.utf8), stepPath: steps).config
        #expect(config.root == ["/srv/step/certs/a.crt", "/abs/b.crt"])
        #expect(config.federatedRoots == ["/srv/step/certs/fed.crt"])
        #expect(config.crt == "/srv/step/certs/intermediate_ca.crt")
        #expect(config.key == "/srv/step/secrets/intermediate_ca_key")
        #expect(config.ssh?.hostKey == "/srv/step/secrets/ssh_host_ca_key")
        #expect(config.ssh?.userKey == "/srv/step/secrets/ssh_user_ca_key")
        let options = config.authority.provisioners[0].options
        #expect(options?.x509?.templateFile == "/srv/step/templates/x509.tpl")
        #expect(options?.ssh?.templateFile == "/srv/step/templates/ssh.tpl")
        #expect(config.templates?.ssh?.user.first?.templatePath == "/srv/step/templates/ssh/config.tpl")
        #expect(config.templates?.ssh?.user.first?.path == "~/.ssh/config")  // a client-side path: untouched
    }

    /// (db type, dataSource, expected dataSource)
    static let dataSources: [(String, String, String)] = [
        ("sqlite", "db/step.sqlite", "/srv/step/db/step.sqlite"),
        ("SQLite3", "db.sqlite", "/srv/step/db.sqlite"),
        ("sqlite", "/var/lib/step/db.sqlite", "/var/lib/step/db.sqlite"),
        ("sqlite", ":memory:", ":memory:"),
        ("sqlite", "file:step.db?mode=ro", "file:step.db?mode=ro"),
        ("badgerv2", "db", "db"),
        ("postgresql", "postgresql://u:p@localhost/", "postgresql://u:p@localhost/"),
        ("mysql", "user:pass@tcp(localhost:3306)/", "user:pass@tcp(localhost:3306)/"),
    ]

    @Test("sqlite data sources are files under STEPPATH", arguments: dataSources)
    func dataSource(_ type: String, _ source: String, expected: String) throws {
        let json = ConfigMutation.json([.set("db.type", type), .set("db.dataSource", source)])
        let db = try #require(try CAConfig.parse(Data(json.utf8), stepPath: steps).config.db)
        #expect(db.dataSource == expected)
        #expect(db.rawJSON.contains(source.replacingOccurrences(of: "/", with: "\\/"))
                || db.rawJSON.contains(source))  // the raw text is the file's, unresolved
    }

    @Test("STEPPATH comes from the environment, else $HOME/.step")
    func environment() {
        #expect(StepPath.fromEnvironment(["STEPPATH": "/opt/step/", "HOME": "/home/u"]).directory == "/opt/step")
        #expect(StepPath.fromEnvironment(["HOME": "/home/u"]).directory == "/home/u/.step")
        #expect(StepPath.fromEnvironment(["STEPPATH": "", "HOME": "/home/u"]).directory == "/home/u/.step")
        #expect(StepPath.fromEnvironment(["HOME": "/home/u"]).homeDirectory == "/home/u")
        #expect(StepPath.isKeyManagerURI("PKCS11:id=1"))
        #expect(!StepPath.isKeyManagerURI("certs/a:b.crt"))
    }

    @Test("files inside STEPPATH are named relative to it in messages")
    func displayName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steppath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("config"),
                                                withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config/ca.json")
        try Data(ConfigMutation.json([.set("address", "nope")]).utf8).write(to: file)
        do {
            _ = try CAConfig.load(path: file.path, stepPath: StepPath(directory.path))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("config/ca.json: address: invalid address \"nope\""))
        }
        do {
            _ = try CAConfig.load(path: file.path, stepPath: StepPath("/elsewhere"))
            Issue.record("expected an error")
        } catch {
            #expect(error.file == file.path)
        }
    }
}
