import Foundation
import Testing

// smallstep's own `step` CLI (0.15.16, built by scripts/install-step-cli.sh) against the live CA:
// the flows of Tests/Fixtures/step-ca-0.19/step-cli-session.txt. Each test bootstraps a private
// STEPPATH and HOME, so nothing leaks between tests. Without `step` the tests skip locally and
// fail in CI.

/// Finds and runs the real `step` binary.
enum StepCLI {
    /// `$STEP_CLI_BIN`, else /usr/local/bin/step, else `step` on PATH.
    static let binary: String? = {
        if let explicit = ProcessInfo.processInfo.environment["STEP_CLI_BIN"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/local/bin/step") { return "/usr/local/bin/step" }
        return TestEnvironment.tool("step")
    }()

    /// The binary, or nil after recording an issue in CI (locally: a skip notice).
    static func required() -> String? {
        if let binary { return binary }
        if TestEnvironment.isCI {
            Issue.record("the step CLI is required in CI (scripts/install-step-cli.sh installs it) but was not found")
        } else {
            print("skipping: the step CLI is not installed (run scripts/install-step-cli.sh)")
        }
        return nil
    }

    /// Removes ANSI colour sequences: step colours its status lines even without a terminal.
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}

/// One client: a private STEPPATH and HOME bootstrapped against the live CA.
struct StepSession {
    let ca: LiveCA
    let binary: String
    let directory: String
    var stepPath: String { directory + "/steppath" }

    /// Bootstraps a new session, or returns nil when `step` is missing (see ``StepCLI/required()``).
    static func start(_ ca: LiveCA) throws -> StepSession? {
        guard let binary = StepCLI.required() else { return nil }
        let directory = ca.scratchPath("-step")
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        let session = StepSession(ca: ca, binary: binary, directory: directory)
        let bootstrap = try session.run(["ca", "bootstrap", "--ca-url", ca.baseURL, "--fingerprint", LiveCA.rootFingerprint])
        guard bootstrap.status == 0 else { throw APITestError("step ca bootstrap failed: \(bootstrap.stderr)") }
        return session
    }

    /// Runs `step arguments...` in the session's directory.
    func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        var result = try Run.program(binary, arguments,
                                     environment: ["STEPPATH": stepPath, "HOME": directory + "/home", "STEPDEBUG": "0"],
                                     timeout: timeout)
        result.stdout = StepCLI.plain(result.stdout)
        result.stderr = StepCLI.plain(result.stderr)
        return result
    }

    /// A path for an output file of this session.
    func path(_ name: String) -> String { directory + "/" + name }

    /// `step ca token SUBJECT [--san ...] --password-file`: a one-time token from the CLI.
    func token(_ subject: String, sans: [String] = [], revoke: Bool = false) throws -> String {
        var arguments = ["ca", "token", subject, "--password-file", ca.passwordPath]
        for san in sans { arguments += ["--san", san] }
        if revoke { arguments.append("--revoke") }
        let result = try run(arguments)
        guard result.status == 0 else { throw APITestError("step ca token failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `step ca certificate` with the provisioner's password: a leaf and key in the session.
    func certificate(_ subject: String, name: String, extra: [String] = []) throws -> (crt: String, key: String) {
        let crt = path(name + ".crt"), key = path(name + ".key")
        let result = try run(["ca", "certificate", subject, crt, key, "--provisioner", LiveCA.provisionerName,
                              "--provisioner-password-file", ca.passwordPath] + extra)
        guard result.status == 0 else { throw APITestError("step ca certificate failed: \(result.stderr)") }
        return (crt, key)
    }
}

/// What `openssl x509` reports about the first certificate of a PEM file.
struct OpenSSLFacts {
    var subject = "", issuer = "", serialHex = "", notBefore = "", notAfter = ""
    var subjectAltNames: [String] = []

    /// The serial in decimal, as step prints it.
    var serialDecimal: String { Encoding.bytes(fromHex: serialHex).map { Encoding.decimal($0) } ?? "" }

    /// Seconds from notBefore to notAfter.
    var validity: TimeInterval? {
        let formatter = ISO8601DateFormatter()
        let start = formatter.date(from: notBefore.replacingOccurrences(of: " ", with: "T"))
        let end = formatter.date(from: notAfter.replacingOccurrences(of: " ", with: "T"))
        guard let start, let end else { return nil }
        return end.timeIntervalSince(start)
    }

    static func read(_ path: String) throws -> OpenSSLFacts {
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let result = try Run.program(openssl, ["x509", "-in", path, "-noout", "-subject", "-issuer", "-serial",
                                               "-nameopt", "RFC2253", "-dateopt", "iso_8601", "-dates", "-ext", "subjectAltName"])
        guard result.status == 0 else { throw APITestError("openssl x509 \(path): \(result.stderr)") }
        var facts = OpenSSLFacts()
        var inSANs = false
        for line in result.stdout.split(separator: "\n").map(String.init) {
            func value(_ prefix: String) -> String? { line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil }
            if let v = value("subject=") { facts.subject = v }
            else if let v = value("issuer=") { facts.issuer = v }
            else if let v = value("serial=") { facts.serialHex = v }
            else if let v = value("notBefore=") { facts.notBefore = v }
            else if let v = value("notAfter=") { facts.notAfter = v }
            else if line.hasPrefix("X509v3 Subject Alternative Name") { inSANs = true }
            else if inSANs {
                facts.subjectAltNames = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                inSANs = false
            }
        }
        return facts
    }
}

@Suite("step CLI 0.15.16 against the live CA", .serialized, .liveCA, .enabled(if: APITools.runnable))
struct StepCLITests {
    static let intermediateSubject = "CN=Anchor CA Intermediate CA,O=Anchor CA"

    /// The claims of a compact JWS (no verification: the CA verifies it).
    func claims(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { throw APITestError("not a compact JWS: \(token.prefix(40))") }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APITestError("undecodable token payload")
        }
        return object
    }

    @Test("step ca bootstrap writes the CA URL, fingerprint and root; health prints ok; roots, root and federation return the root")
    func bootstrapHealthRoots() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }

        let defaults = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: step.stepPath + "/config/defaults.json"))) as? [String: Any]
        #expect(defaults?["ca-url"] as? String == ca.baseURL)
        #expect(defaults?["fingerprint"] as? String == LiveCA.rootFingerprint)
        #expect(try String(contentsOfFile: step.stepPath + "/certs/root_ca.crt", encoding: .utf8) == ca.rootPEM)

        let health = try step.run(["ca", "health"])
        #expect(health.status == 0, "\(health.stderr)")
        #expect(health.stdout == "ok\n")

        let roots = try step.run(["ca", "roots", step.path("roots.pem")])
        #expect(roots.status == 0, "\(roots.stderr)")
        #expect(roots.stderr.contains("The root certificate bundle has been saved in \(step.path("roots.pem"))."))
        #expect(try String(contentsOfFile: step.path("roots.pem"), encoding: .utf8) == ca.rootPEM)

        let root = try step.run(["ca", "root", step.path("root.crt")])
        #expect(root.status == 0, "\(root.stderr)")
        #expect(try String(contentsOfFile: step.path("root.crt"), encoding: .utf8) == ca.rootPEM)

        let federation = try step.run(["ca", "federation", step.path("federation.pem")])
        #expect(federation.status == 0, "\(federation.stderr)")
        #expect(try String(contentsOfFile: step.path("federation.pem"), encoding: .utf8) == ca.rootPEM)

        let fingerprint = try step.run(["certificate", "fingerprint", step.path("roots.pem")])
        #expect(fingerprint.stdout == LiveCA.rootFingerprint + "\n")
    }

    @Test("step ca bootstrap with an unknown fingerprint fails with step-ca's 404 and writes nothing")
    func bootstrapWrongFingerprint() throws {
        let ca = try LiveCA.get()
        guard let binary = StepCLI.required() else { return }
        let step = StepSession(ca: ca, binary: binary, directory: ca.scratchPath("-step"))
        let wrong = String(repeating: "ab", count: 32)
        let result = try step.run(["ca", "bootstrap", "--ca-url", ca.baseURL, "--fingerprint", wrong])
        #expect(result.status == 1)
        // step-ca 0.19 answers GET /root/<unknown sha> with the generic 404 (http-examples.txt).
        #expect(result.stderr == "error downloading root certificate: \(StepMessages.notFound)\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: step.stepPath + "/certs/root_ca.crt"))
    }

    @Test("step ca provisioner list prints the fixture's JWK provisioner with its key and encryptedKey")
    func provisionerList() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let result = try step.run(["ca", "provisioner", "list"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(list?.count == 1)
        let provisioner = list?.first
        #expect(provisioner?["type"] as? String == "JWK")
        #expect(provisioner?["name"] as? String == LiveCA.provisionerName)
        let key = provisioner?["key"] as? [String: Any]
        #expect(key?["kid"] as? String == LiveCA.provisionerKID)
        #expect(key?["crv"] as? String == "P-256")
        #expect((provisioner?["encryptedKey"] as? String)?.split(separator: ".").count == 5)
    }

    @Test("step ca token makes a JWK token for this CA; step ca certificate --token issues the leaf (subject, SANs, issuer, chain)")
    func tokenAndCertificate() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let token = try step.token("demo.example.com", sans: ["demo.example.com", "127.0.0.1"])
        let claims = try claims(token)
        #expect(claims["aud"] as? String == "\(ca.baseURL)/1.0/sign")
        #expect(claims["iss"] as? String == LiveCA.provisionerName)
        #expect(claims["sub"] as? String == "demo.example.com")
        #expect(claims["sans"] as? [String] == ["demo.example.com", "127.0.0.1"])
        #expect(claims["sha"] as? String == LiveCA.rootFingerprint)

        let crt = step.path("demo.crt"), key = step.path("demo.key")
        let result = try step.run(["ca", "certificate", "demo.example.com", crt, key, "--token", token])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✔ Certificate: \(crt)"), "\(result.stderr)")
        #expect(result.stderr.contains("✔ Private Key: \(key)"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: key))

        let facts = try OpenSSLFacts.read(crt)
        #expect(facts.subject == "CN=demo.example.com")
        #expect(facts.issuer == Self.intermediateSubject)
        #expect(facts.subjectAltNames == ["DNS:demo.example.com", "IP Address:127.0.0.1"])
        // step writes the leaf and the intermediate; the bundle verifies up to the root.
        let bundle = try String(contentsOfFile: crt, encoding: .utf8)
        #expect(bundle.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
        #expect(bundle.hasSuffix(ca.intermediatePEM))
        let openssl = try APITools.path(APITools.openssl, "openssl")
        let verify = try Run.program(openssl, ["verify", "-CAfile", ca.rootPath, "-untrusted", crt, crt])
        #expect(verify.status == 0 && verify.stdout.hasSuffix(": OK\n"), "\(verify.stdout)\(verify.stderr)")
        let stepVerify = try step.run(["certificate", "verify", crt, "--roots", ca.rootPath])
        #expect(stepVerify.status == 0, "\(stepVerify.stderr)")
        let stored = try ca.stored("x509_certs", key: facts.serialDecimal)
        #expect(stored != nil, "no x509_certs row for \(facts.serialDecimal)")
    }

    @Test("a one-time token is accepted once (401 with step-ca's message on reuse); a token for another subject is refused by the client")
    func tokenReuseAndMismatch() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let token = try step.token("once.example.com")
        let first = try step.run(["ca", "certificate", "once.example.com", step.path("a.crt"), step.path("a.key"), "--token", token])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try step.run(["ca", "certificate", "once.example.com", step.path("b.crt"), step.path("b.key"), "--token", token])
        #expect(again.status == 1)
        #expect(again.stderr.contains(StepMessages.unauthorized), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: step.path("b.crt")))

        let other = try step.run(["ca", "certificate", "bad.example.com", step.path("c.crt"), step.path("c.key"), "--token", try step.token("demo.example.com")])
        #expect(other.status == 1)
        #expect(other.stderr.contains("token subject 'demo.example.com' and argument 'bad.example.com' do not match"), "\(other.stderr)")
    }

    @Test("step ca certificate --provisioner --provisioner-password-file --san --not-after 1h: SANs and a one-hour validity (plus the backdate)")
    func certificateWithProvisionerPassword() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let result = try step.run(["ca", "certificate", "demo2.example.com", step.path("demo2.crt"), step.path("demo2.key"),
                                   "--provisioner", LiveCA.provisionerName, "--provisioner-password-file", ca.passwordPath,
                                   "--san", "demo2.example.com", "--san", "alt.example.com", "--san", "10.0.0.7", "--not-after", "1h"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✔ Provisioner: \(LiveCA.provisionerName) (JWK) [kid: \(LiveCA.provisionerKID)]"), "\(result.stderr)")
        let facts = try OpenSSLFacts.read(step.path("demo2.crt"))
        #expect(facts.subject == "CN=demo2.example.com")
        #expect(facts.issuer == Self.intermediateSubject)
        #expect(facts.subjectAltNames == ["DNS:demo2.example.com", "DNS:alt.example.com", "IP Address:10.0.0.7"])
        // notAfter = notBefore + 1h where notBefore is backdated by one minute (reference §4.4).
        #expect(facts.validity == TimeInterval(3660), "\(facts.notBefore) .. \(facts.notAfter)")
    }

    @Test("--not-before 1h --not-after 3h: the window starts in an hour and lasts three")
    func certificateNotBefore() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("later.example.com", name: "later", extra: ["--not-before", "1h", "--not-after", "3h"])
        let facts = try OpenSSLFacts.read(paths.crt)
        #expect(facts.validity == TimeInterval(3 * 3600), "\(facts.notBefore) .. \(facts.notAfter)")
        let start = ISO8601DateFormatter().date(from: facts.notBefore.replacingOccurrences(of: " ", with: "T"))
        #expect(start.map { abs($0.timeIntervalSinceNow - 3600) < 120 } == true, "\(facts.notBefore)")
    }

    @Test("--not-after beyond the provisioner's 24h maximum: exit 1 with step-ca's 403 message")
    func certificateTooLong() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let result = try step.run(["ca", "certificate", "long.example.com", step.path("long.crt"), step.path("long.key"),
                                   "--provisioner-password-file", ca.passwordPath, "--not-after", "2000h"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(StepMessages.forbidden(
            "requested duration of 2000h1m0s is more than the authorized maximum certificate duration of 24h1m0s")), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: step.path("long.crt")))
    }

    @Test("RSA and Ed25519 keys: step ca certificate --kty RSA / --kty OKP")
    func certificateKeyTypes() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let openssl = try APITools.path(APITools.openssl, "openssl")
        for (name, extra, algorithm) in [("rsa", ["--kty", "RSA", "--size", "2048"], "rsaEncryption"),
                                         ("ed", ["--kty", "OKP", "--curve", "Ed25519"], "ED25519")] {
            let paths = try step.certificate("\(name).example.com", name: name, extra: extra)
            let text = try Run.program(openssl, ["x509", "-in", paths.crt, "-noout", "-text"])
            #expect(text.stdout.contains("Public Key Algorithm: \(algorithm)"), "\(name): \(text.stdout.prefix(400))")
            #expect(try OpenSSLFacts.read(paths.crt).subject == "CN=\(name).example.com")
        }
    }

    @Test("step ca sign of a CSR made by step certificate create --csr")
    func signCSR() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let create = try step.run(["certificate", "create", "csr.example.com", step.path("csr.csr"), step.path("csr.key"),
                                   "--csr", "--no-password", "--insecure", "--san", "csr.example.com", "--san", "www.csr.example.com"])
        #expect(create.status == 0, "\(create.stderr)")
        let token = try step.token("csr.example.com", sans: ["csr.example.com", "www.csr.example.com"])
        let sign = try step.run(["ca", "sign", step.path("csr.csr"), step.path("csr.crt"), "--token", token])
        #expect(sign.status == 0, "\(sign.stderr)")
        let facts = try OpenSSLFacts.read(step.path("csr.crt"))
        #expect(facts.subject == "CN=csr.example.com")
        #expect(facts.subjectAltNames == ["DNS:csr.example.com", "DNS:www.csr.example.com"])
        #expect(facts.issuer == Self.intermediateSubject)
    }

    @Test("step ca revoke SERIAL --token: revoked (and stored); a second revoke reports it is already revoked")
    func revokeWithToken() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("revoke-me.example.com", name: "revoke-me")
        let serial = try OpenSSLFacts.read(paths.crt).serialDecimal
        let token = try step.token(serial, revoke: true)
        #expect(try claims(token)["aud"] as? String == "\(ca.baseURL)/1.0/revoke")
        let revoke = try step.run(["ca", "revoke", serial, "--token", token, "--reason", "token revoke"])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect((revoke.stdout + revoke.stderr).contains("Certificate with Serial Number \(serial) has been revoked."),
                "\(revoke.stdout)\(revoke.stderr)")
        let row = try ca.storedText("revoked_x509_certs", key: serial)
        #expect(row?.contains("\"Reason\":\"token revoke\"") == true, "\(row ?? "no row")")

        let again = try step.run(["ca", "revoke", serial, "--token", try step.token(serial, revoke: true)])
        #expect(again.status == 1)
        #expect(again.stderr.contains(StepMessages.badRequest("certificate with serial number '\(serial)' is already revoked")),
                "\(again.stderr)")
    }

    @Test("step certificate inspect (text, --short, --format json) reads the issued leaf; verify fails against a foreign root")
    func inspectAndVerify() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("inspect.example.com", name: "inspect", extra: ["--san", "inspect.example.com", "--san", "127.0.0.1"])
        let facts = try OpenSSLFacts.read(paths.crt)

        let text = try step.run(["certificate", "inspect", paths.crt])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Serial Number: \(facts.serialDecimal) "), "\(text.stdout.prefix(400))")
        #expect(text.stdout.contains("Subject: CN=inspect.example.com"))
        #expect(text.stdout.contains("DNS:inspect.example.com, IP Address:127.0.0.1"))

        let short = try step.run(["certificate", "inspect", "--short", paths.crt])
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stdout.contains("Issuer:      Anchor CA Intermediate CA"), "\(short.stdout)")

        let json = try step.run(["certificate", "inspect", "--format", "json", paths.crt])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["serial_number"] as? String == facts.serialDecimal)
        let sans = (object?["extensions"] as? [String: Any])?["subject_alt_name"] as? [String: Any]
        #expect(sans?["dns_names"] as? [String] == ["inspect.example.com"])
        #expect(sans?["ip_addresses"] as? [String] == ["127.0.0.1"])

        // A self-signed root of our own: the CA's leaf must not verify against it.
        let foreign = try step.run(["certificate", "create", "Foreign Root", step.path("foreign.crt"), step.path("foreign.key"),
                                    "--profile", "root-ca", "--no-password", "--insecure"])
        #expect(foreign.status == 0, "\(foreign.stderr)")
        let verify = try step.run(["certificate", "verify", paths.crt, "--roots", step.path("foreign.crt")])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("certificate signed by unknown authority"), "\(verify.stderr)")
    }

    @Test("step ca renew --force (mTLS): a new serial, same subject and SANs, written over the old file")
    func renewMutualTLS() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("renew.example.com", name: "renew", extra: ["--san", "renew.example.com", "--san", "127.0.0.1"])
        let before = try OpenSSLFacts.read(paths.crt)
        let renew = try step.run(["ca", "renew", "--force", paths.crt, paths.key])
        #expect(renew.status == 0, "\(renew.stderr)")
        #expect(renew.stderr.contains("Your certificate has been saved in \(paths.crt)."), "\(renew.stderr)")
        let after = try OpenSSLFacts.read(paths.crt)
        #expect(after.serialHex != before.serialHex)
        #expect(after.subject == before.subject)
        #expect(after.subjectAltNames == before.subjectAltNames)
        #expect(after.issuer == Self.intermediateSubject)
        #expect(after.validity == before.validity)
    }

    @Test("step ca revoke --cert --key (mTLS): the certificate revokes itself")
    func revokeMutualTLS() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("self-revoke.example.com", name: "self-revoke")
        let serial = try OpenSSLFacts.read(paths.crt).serialDecimal
        let revoke = try step.run(["ca", "revoke", "--cert", paths.crt, "--key", paths.key, "--reason", "mTLS revoke"])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect((revoke.stdout + revoke.stderr).contains("Certificate with Serial Number \(serial) has been revoked."),
                "\(revoke.stdout)\(revoke.stderr)")
        #expect(try ca.storedText("revoked_x509_certs", key: serial) != nil)
    }

    @Test("after step ca revoke, step ca renew of that certificate fails with step-ca's 401 message")
    func renewAfterRevoke() throws {
        let ca = try LiveCA.get()
        guard let step = try StepSession.start(ca) else { return }
        let paths = try step.certificate("revoked-renew.example.com", name: "revoked-renew")
        let serial = try OpenSSLFacts.read(paths.crt).serialDecimal
        let revoke = try step.run(["ca", "revoke", serial, "--token", try step.token(serial, revoke: true)])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let renew = try step.run(["ca", "renew", "--force", paths.crt, paths.key])
        #expect(renew.status == 1)
        #expect(renew.stderr == "error renewing certificate: \(StepMessages.unauthorized)\n", "\(renew.stderr)")
    }
}
