import Foundation
import Testing

/// A PostgreSQL server that requires TLS and client certificates for the CA's role: the DSN
/// forms step-ca users write (`sslmode=verify-full`, `sslrootcert`, `sslcert`, `sslkey`) and
/// libpq's `~/.postgresql/` defaults, through a real `step-ca` process.
@Suite("PostgreSQL over TLS with client certificates", .serialized, .enabled(if: APITools.runnable))
struct PostgresTLSTests {
    /// A private CA with a server certificate for 127.0.0.1/localhost and a client certificate
    /// for the role `stepca`, made with the openssl CLI.
    struct TLSFiles {
        let directory: URL
        var caCertificate: String { directory.appendingPathComponent("ca.crt").path }
        var clientCertificate: String { directory.appendingPathComponent("client.crt").path }
        var clientKey: String { directory.appendingPathComponent("client.key").path }
        var otherCA: String { directory.appendingPathComponent("other-ca.crt").path }

        init() throws {
            directory = try TestEnvironment.temporaryDirectory()
            let openssl = try APITools.path(APITools.openssl, "openssl")
            func run(_ arguments: [String]) throws {
                let result = try Run.program(openssl, arguments)
                guard result.status == 0 else { throw APITestError("openssl \(arguments.first ?? ""): \(result.stderr)") }
            }
            func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            for ca in ["ca", "other-ca"] {
                try run(["req", "-x509", "-new"] + ec + ["-keyout", path("\(ca).key"), "-out", path("\(ca).crt"),
                        "-subj", "/CN=Database \(ca)", "-days", "2",
                        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            }
            for (name, subject, ext) in [("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                                         ("client", "/CN=stepca", "extendedKeyUsage=clientAuth\n")] {
                try run(["req", "-new"] + ec + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
                try ext.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
                try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                         "-CAcreateserial", "-days", "1", "-extfile", path("\(name).ext"), "-out", path("\(name).crt")])
            }
            // libpq refuses a client key that others can read.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: clientKey)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    func withTLSServer(_ body: (PrivateDatabaseServer, TLSFiles) throws -> Void) throws {
        guard SharedDatabase.Kind.postgresql.isConfigured || TestEnvironment.isCI else { return }
        let files = try TLSFiles()
        defer { files.remove() }
        let server = try PrivateDatabaseServer(.postgresql, environment: ["PG_TLS_DIR": files.directory.path])
        defer { server.remove() }
        try body(server, files)
    }

    @Test("sslmode=verify-full with sslrootcert, sslcert and sslkey in the DSN")
    func explicitFiles() throws {
        try withTLSServer { server, files in
            let dsn = "host=127.0.0.1 port=\(server.port) user=stepca dbname=stepca sslmode=verify-full "
                + "sslrootcert=\(files.caCertificate) sslcert=\(files.clientCertificate) sslkey=\(files.clientKey)"
            let ca = try LiveCA(database: #"{"type": "postgresql", "dataSource": "\#(dsn)", "database": "stepca_tls"}"#)
            defer { ca.stop() }
            // The role has no password: only a verified TLS session with its certificate logs in.
            _ = try ca.issue(commonName: "tls-db.example.com")
        }
    }

    @Test("libpq's ~/.postgresql/root.crt, postgresql.crt and postgresql.key are used when the DSN names none")
    func homeDefaults() throws {
        try withTLSServer { server, files in
            let home = files.directory.appendingPathComponent("home")
            let pgDirectory = home.appendingPathComponent(".postgresql")
            try FileManager.default.createDirectory(at: pgDirectory, withIntermediateDirectories: true)
            for (source, target) in [(files.caCertificate, "root.crt"), (files.clientCertificate, "postgresql.crt"),
                                     (files.clientKey, "postgresql.key")] {
                try FileManager.default.copyItem(atPath: source, toPath: pgDirectory.appendingPathComponent(target).path)
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o600],
                                                  ofItemAtPath: pgDirectory.appendingPathComponent("postgresql.key").path)
            let dsn = "postgresql://stepca@127.0.0.1:\(server.port)/stepca?sslmode=verify-full"
            let ca = try LiveCA(database: #"{"type": "postgresql", "dataSource": "\#(dsn)", "database": "stepca_home"}"#,
                                environment: ["HOME": home.path])
            defer { ca.stop() }
            _ = try ca.issue(commonName: "home-defaults.example.com")
        }
    }

    @Test("a server certificate from another CA stops start-up with the verification failure, host and port")
    func wrongRoot() throws {
        try withTLSServer { server, files in
            let dsn = "host=127.0.0.1 port=\(server.port) user=stepca dbname=stepca sslmode=verify-full "
                + "sslrootcert=\(files.otherCA) sslcert=\(files.clientCertificate) sslkey=\(files.clientKey)"
            do {
                let ca = try LiveCA(database: #"{"type": "postgresql", "dataSource": "\#(dsn)"}"#)
                ca.stop()
                Issue.record("step-ca trusted a server certificate from another CA")
            } catch let failure as ServerStartFailure {
                #expect(failure.output.contains("certificate verify failed"), "\(failure.output)")
                #expect(failure.output.contains("127.0.0.1") && failure.output.contains(String(server.port)), "\(failure.output)")
            }
        }
    }
}
