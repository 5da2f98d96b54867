import Foundation
import Testing

/// A fresh step-ca database on one of the test servers that `scripts/test.sh` starts
/// (PostgreSQL: `PG_*`, MariaDB: `MY_*`), shared by several CA processes and read back with the
/// servers' own command-line clients, independently of our plugins.
struct SharedDatabase: Sendable {
    enum Kind: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case postgresql, mysql

        var testDescription: String { self == .postgresql ? "PostgreSQL" : "MariaDB" }

        /// The environment variable holding the server's DSN.
        var dsnVariable: String { self == .postgresql ? "PG_DSN" : "MY_DSN" }

        /// Whether the server is configured; in CI a missing server fails instead of skipping.
        var isConfigured: Bool { !(ProcessInfo.processInfo.environment[dsnVariable] ?? "").isEmpty }
    }

    /// The kinds the suites run against: configured servers, and all of them in CI.
    static var kinds: [Kind] { Kind.allCases.filter { TestEnvironment.isCI || $0.isConfigured } }

    let kind: Kind
    /// The database name, fresh for each test; the plugin creates it as step-ca does.
    let name: String
    private let environment: [String: String]

    init(_ kind: Kind) throws {
        self.kind = kind
        environment = ProcessInfo.processInfo.environment
        guard kind.isConfigured else {
            throw APITestError("\(kind.dsnVariable) is not set: run scripts/test.sh, which starts \(kind.testDescription)")
        }
        name = "stepca_multi_\(UInt32.random(in: 0 ... .max))"
    }

    private func env(_ name: String) -> String { environment[name] ?? "" }

    /// The ca.json `db` object: step-ca's own form, with the DSN of the test server.
    var stanza: String {
        #"{"type": "\#(kind.rawValue)", "dataSource": "\#(env(kind.dsnVariable))", "database": "\#(name)"}"#
    }

    /// The password of the test server's user (to check it never appears in output).
    var password: String { env(kind == .postgresql ? "PG_PASS" : "MY_PASS") }

    /// Every row of a table as key text → value bytes, read with psql or the mariadb client.
    func rows(_ table: String) throws -> [String: Data] {
        let output: String
        switch kind {
        case .postgresql:
            let psql = try APITools.path(TestEnvironment.tool("psql"), "psql")
            let url = "postgresql://\(env("PG_USER")):\(env("PG_PASS"))@\(env("PG_HOST")):\(env("PG_PORT"))/\(name)?sslmode=disable"
            output = try query(psql, ["-X", "-A", "-t", "-F", " ", "-v", "ON_ERROR_STOP=1", url, "-c",
                                      "SELECT encode(nkey, 'hex'), encode(nvalue, 'hex') FROM \"\(table)\""])
        case .mysql:
            let client = try APITools.path(TestEnvironment.tool("mariadb"), "mariadb")
            output = try query(client, ["--no-defaults", "--protocol=tcp", "-h", env("MY_HOST"), "-P", env("MY_PORT"),
                                        "-u", env("MY_USER"), "-p\(env("MY_PASS"))", "-N", "-B", name, "-e",
                                        "SELECT hex(nkey), hex(nvalue) FROM `\(table)`"])
        }
        var rows: [String: Data] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: line.contains("\t") ? "\t" : " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let key = Encoding.bytes(fromHex: String(fields[0])),
                  let value = Encoding.bytes(fromHex: String(fields[1])) else {
                throw APITestError("unexpected row from \(kind.testDescription): \(line)")
            }
            rows[String(decoding: key, as: UTF8.self)] = value
        }
        return rows
    }

    /// Creates the database and runs `sql` in it as step-ca's own driver would have (the DDL of
    /// reference §7.3), through the server's CLI.
    func createAsStepCA(_ sql: String) throws {
        switch kind {
        case .postgresql:
            let psql = try APITools.path(TestEnvironment.tool("psql"), "psql")
            let server = "postgresql://\(env("PG_USER")):\(env("PG_PASS"))@\(env("PG_HOST")):\(env("PG_PORT"))"
            _ = try query(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "\(server)/\(env("PG_DB"))?sslmode=disable",
                                 "-c", "CREATE DATABASE \"\(name)\""])
            _ = try query(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "\(server)/\(name)?sslmode=disable", "-c", sql])
        case .mysql:
            let client = try APITools.path(TestEnvironment.tool("mariadb"), "mariadb")
            _ = try query(client, ["--no-defaults", "--protocol=tcp", "-h", env("MY_HOST"), "-P", env("MY_PORT"),
                                   "-u", env("MY_USER"), "-p\(env("MY_PASS"))", "-e",
                                   "CREATE DATABASE `\(name)`; USE `\(name)`; \(sql)"])
        }
    }

    /// A binary literal in the server's SQL dialect.
    func literal(_ bytes: Data) -> String {
        let hex = Encoding.hex(bytes)
        return kind == .postgresql ? "'\\x\(hex)'::bytea" : "X'\(hex)'"
    }

    /// step-ca's table DDL for `table` (reference §7.3).
    func stepCATable(_ table: String) -> String {
        kind == .postgresql
            ? "CREATE TABLE IF NOT EXISTS \"\(table)\" (nkey BYTEA CHECK (octet_length(nkey) <= 255), nvalue BYTEA, PRIMARY KEY (nkey));"
            : "CREATE TABLE IF NOT EXISTS `\(table)`(nkey VARBINARY(255), nvalue BLOB, PRIMARY KEY (nkey));"
    }

    private func query(_ tool: String, _ arguments: [String]) throws -> String {
        let result = try Run.program(tool, arguments, timeout: 60)
        guard result.status == 0 else { throw APITestError("\(tool) failed: \(result.stderr)") }
        return result.stdout
    }
}
