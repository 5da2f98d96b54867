import Testing
import PluginKit
import StepConfig
@testable import MySQLKV

/// The MySQL plugin's reading of `db.dataSource` in the Go MySQL driver's DSN syntax, and of the
/// rest of its ca.json stanza. No server needed.
@Suite("MySQL DSN")
struct MySQLDSNTests {
    /// Parses `dsn`, failing the test with the error's message if it does not parse.
    private func parse(_ dsn: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> MySQLDSN {
        do {
            return try MySQLDSN.parse(dsn)
        } catch let error as PluginError {
            Issue.record("\(dsn) did not parse: \(error.message)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Expects `dsn` to be refused with `.invalidArgument`, a message with the DSN prefix and
    /// every fragment in `mentions`, and never the text `secret`.
    @discardableResult
    private func refuse(_ dsn: String, mentioning mentions: [String] = [],
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            let parsed = try MySQLDSN.parse(dsn)
            Issue.record("\(MySQLDSN.masked(dsn)) parsed as \(parsed)", sourceLocation: sourceLocation)
            return ""
        } catch let error as PluginError {
            #expect(error.code == .invalidArgument, sourceLocation: sourceLocation)
            #expect(error.message.hasPrefix("db.dataSource: invalid DSN: "), "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("secret"), "the password leaked: \(error.message)", sourceLocation: sourceLocation)
            for fragment in mentions {
                #expect(error.message.contains(fragment), "\(error.message) does not mention \(fragment)", sourceLocation: sourceLocation)
            }
            return error.message
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return ""
        }
    }

    // MARK: Credentials

    @Test("a full DSN: user, password, tcp address, database")
    func fullDSN() throws {
        let dsn = try parse("stepca:stepca-pw@tcp(127.0.0.1:53306)/stepca")
        #expect(dsn.user == "stepca")
        #expect(dsn.password == "stepca-pw")
        #expect(dsn.endpoint == .tcp(host: "127.0.0.1", port: 53306))
        #expect(dsn.database == "stepca")
        #expect(dsn.tls == .disabled)
        #expect(dsn.connectTimeout == nil)
        #expect(dsn.sessionVariables.isEmpty)
    }

    @Test("passwords may contain @, :, / and other punctuation: the last @ before /dbname ends them",
          arguments: ["p@ss", "a:b:c", "a/b", "p@:/?&=()#%20!", "@", ":", "/", "", "päss wörd"])
    func passwordCharacters(password: String) throws {
        let dsn = try parse("user:\(password)@tcp(db.example.com:3307)/ca?timeout=5s")
        #expect(dsn.user == "user")
        #expect(dsn.password == password, "taken literally, not URL-decoded")
        #expect(dsn.endpoint == .tcp(host: "db.example.com", port: 3307))
        #expect(dsn.database == "ca")
        #expect(dsn.connectTimeout == 5_000_000_000)
    }

    @Test("the username ends at the first colon; without a colon there is no password")
    func userWithoutPassword() throws {
        let dsn = try parse("root@/stepca")
        #expect(dsn.user == "root")
        #expect(dsn.password == "")
        #expect(dsn.endpoint == .tcp(host: "127.0.0.1", port: 3306))

        let odd = try parse("a@b@tcp(h:1)/db")
        #expect(odd.user == "a@b", "as in the Go driver, the credentials end at the last @")
        #expect(odd.password == "")
    }

    // MARK: Protocols and addresses

    @Test("no credentials and no protocol: tcp to 127.0.0.1:3306")
    func defaults() throws {
        let dsn = try parse("/")
        #expect(dsn.user == "")
        #expect(dsn.endpoint == .tcp(host: "127.0.0.1", port: 3306))
        #expect(dsn.database == "")
        #expect(try parse("tcp(localhost:3306)/db").endpoint == .tcp(host: "localhost", port: 3306))
        #expect(try parse("u:p@tcp/db").endpoint == .tcp(host: "127.0.0.1", port: 3306))
        #expect(try parse("u:p@(db.internal:3310)/db").endpoint == .tcp(host: "db.internal", port: 3310), "an empty protocol is tcp")
    }

    @Test("tcp addresses: host without port, IPv6 with and without brackets", arguments: [
        ("db.example.com", MySQLDSN.Endpoint.tcp(host: "db.example.com", port: 3306)),
        ("10.0.0.5:3307", .tcp(host: "10.0.0.5", port: 3307)),
        ("[::1]:3307", .tcp(host: "::1", port: 3307)),
        ("[fe80::1%25eth0]:3306", .tcp(host: "fe80::1%25eth0", port: 3306)),
        ("[::1]", .tcp(host: "::1", port: 3306)),
        ("::1", .tcp(host: "::1", port: 3306)),
        ("2001:db8::10", .tcp(host: "2001:db8::10", port: 3306)),
        (":3308", .tcp(host: "127.0.0.1", port: 3308)),
    ])
    func tcpAddresses(address: String, expected: MySQLDSN.Endpoint) throws {
        #expect(try parse("u:secret@tcp(\(address))/db").endpoint == expected)
    }

    @Test("IPv6 endpoints are shown in brackets in messages")
    func endpointDescription() {
        #expect(MySQLDSN.Endpoint.tcp(host: "::1", port: 3306).description == "[::1]:3306")
        #expect(MySQLDSN.Endpoint.tcp(host: "db", port: 1).description == "db:1")
        #expect(MySQLDSN.Endpoint.unix(path: "/run/m.sock").description == "unix socket /run/m.sock")
    }

    @Test("unix sockets: a path, or /tmp/mysql.sock by default")
    func unixSockets() throws {
        let dsn = try parse("step:secret@unix(/var/run/mysqld/mysqld.sock)/stepca?timeout=2s")
        #expect(dsn.endpoint == .unix(path: "/var/run/mysqld/mysqld.sock"))
        #expect(dsn.password == "secret")
        #expect(dsn.database == "stepca")
        #expect(try parse("step@unix/stepca").endpoint == .unix(path: "/tmp/mysql.sock"))
        #expect(try parse("unix(/tmp/a (b).sock)/x").endpoint == .unix(path: "/tmp/a (b).sock"))
    }

    @Test("tcp4 and tcp6 need an address with a port")
    func tcp4and6() throws {
        #expect(try parse("u@tcp6([::1]:3306)/db").endpoint == .tcp(host: "::1", port: 3306))
        #expect(try parse("u@tcp4(127.0.0.1:3306)/db").endpoint == .tcp(host: "127.0.0.1", port: 3306))
        refuse("u:secret@tcp6/db", mentioning: ["tcp6", "port"])
        refuse("u:secret@tcp4(localhost)/db", mentioning: ["no port"])
    }

    @Test("bad ports are refused", arguments: ["h:0", "h:65536", "h:99999", "h:abc", "h:", "[::1]:x", "[::1"])
    func badPorts(address: String) {
        refuse("u:secret@tcp(\(address))/db", mentioning: ["u:***@"])
    }

    @Test("unsupported protocols are refused; text that may hold a password is not echoed")
    func unsupportedProtocols() {
        refuse("u:secret@udp(h:1)/db", mentioning: ["protocol \"udp\"", "tcp(host:port)"])
        refuse("u:secret@cloudsql(project:region:instance)/db", mentioning: ["cloudsql", "Go code"])
        // "@tcp(...)" forgotten: the text before "/" reads as a protocol.
        let message = refuse("root:secret/stepca", mentioning: ["root:***"])
        #expect(!message.contains("stepca\""), "the part after the colon is masked: \(message)")
        refuse("localhost:3306/stepca", mentioning: ["[user[:password]@][protocol[(address)]]"])
    }

    // MARK: Structure errors

    @Test("a DSN without the slash before the database name is refused, the password masked")
    func missingSlash() {
        let message = refuse("stepca:secret@tcp(127.0.0.1:3306)", mentioning: ["missing the \"/\"", "stepca:***@tcp(127.0.0.1:3306)"])
        #expect(!message.contains("secret"))
        refuse("just-a-name", mentioning: ["missing the \"/\""])
    }

    @Test("a password with a slash and no /dbname does not leak")
    func slashInPasswordWithoutDatabase() {
        let message = refuse("user:sec/ret@tcp(h:1)")
        #expect(!message.contains("sec"), "\(message)")
        #expect(!message.contains("ret@"), "\(message)")
    }

    @Test("an unterminated address and an unescaped slash in a parameter value are refused")
    func addressErrors() {
        refuse("u:secret@tcp(127.0.0.1:3306/db", mentioning: ["not terminated"])
        refuse("u:secret@tcp(127.0.0.1:3306)/db?loc=Europe/Paris", mentioning: ["%2F"])
    }

    @Test("an empty data source is refused with an example")
    func empty() {
        refuse("", mentioning: ["empty", "tcp(127.0.0.1:3306)"])
    }

    // MARK: Database name

    @Test("database names are path-unescaped", arguments: [
        ("my%2Fdb", "my/db"), ("step%20ca", "step ca"), ("a+b", "a+b"), ("caf%C3%A9", "café"), ("", ""), ("x%60y", "x`y"),
    ])
    func escapedDatabaseNames(raw: String, expected: String) throws {
        #expect(try parse("u:p@tcp(h:1)/\(raw)?parseTime=true").database == expected)
    }

    @Test("invalid escapes in the database name are refused", arguments: ["bad%zz", "bad%2", "bad%", "bad%C3"])
    func badDatabaseEscapes(raw: String) {
        refuse("u:secret@tcp(h:1)/\(raw)", mentioning: ["database name", "%-escape"])
    }

    // MARK: Parameters

    @Test("durations in Go syntax", arguments: [
        ("5s", Int64(5_000_000_000)), ("1m30s", 90_000_000_000), ("500ms", 500_000_000), ("1.5h", 5_400_000_000_000),
        ("0", 0), ("2h45m", 9_900_000_000_000), ("100us", 100_000), ("100µs", 100_000), ("10ns", 10), (".5s", 500_000_000),
    ])
    func durations(text: String, nanoseconds: Int64) throws {
        let dsn = try parse("u:p@tcp(h:1)/db?timeout=\(text)&readTimeout=\(text)&writeTimeout=\(text)")
        #expect(dsn.connectTimeout == nanoseconds)
        #expect(dsn.readTimeout == nanoseconds)
        #expect(dsn.writeTimeout == nanoseconds)
    }

    @Test("bad durations are refused, naming the parameter and the value", arguments: [
        ("timeout", "5x"), ("timeout", "5"), ("readTimeout", "1e3s"), ("writeTimeout", ""), ("timeout", "s"),
        ("timeout", "-1s"), ("readTimeout", "5 s"), ("timeout", "1h-5m"), ("timeTruncate", "1d"),
    ])
    func badDurations(key: String, value: String) {
        refuse("u:secret@tcp(h:1)/db?\(key)=\(value)", mentioning: ["parameter \(key)", "\"\(value)\""])
    }

    @Test("DSN timeouts use Go's duration syntax (units, fractions, signs, overflow)")
    func goDuration() {
        func nanoseconds(_ text: String) -> Int64? { (try? GoDuration(parsing: text))?.nanoseconds }
        #expect(nanoseconds("1h2m3.5s") == 3_723_500_000_000)
        #expect(nanoseconds("+5s") == 5_000_000_000)
        #expect(nanoseconds("-1.5s") == -1_500_000_000)
        #expect(nanoseconds("1.s") == 1_000_000_000)
        #expect(nanoseconds("3μs") == 3_000)
        #expect(nanoseconds("3000000h") == nil, "overflows int64 nanoseconds")
        for bad in ["", "-", "+", ".", "1", "1x", "ms", "1..5s", "5S", " 5s"] {
            #expect(nanoseconds(bad) == nil, "\(bad)")
        }
        #expect(ConnectionSettings.ceilingSeconds(500_000_000) == 1, "libmariadb timeouts are whole seconds, rounded up")
        #expect(ConnectionSettings.ceilingSeconds(10_000_000_000) == 10)
        #expect(ConnectionSettings.ceilingSeconds(0) == 0)
    }

    @Test("tls modes, case and spelling as the Go driver reads them", arguments: [
        ("true", MySQLDSN.TLSMode.verify), ("1", .verify), ("TRUE", .verify), ("True", .verify),
        ("false", .disabled), ("0", .disabled), ("skip-verify", .skipVerify), ("SKIP-VERIFY", .skipVerify),
        ("preferred", .preferred), ("Preferred", .preferred),
    ])
    func tlsModes(value: String, mode: MySQLDSN.TLSMode) throws {
        #expect(try parse("u:p@tcp(h:1)/db?tls=\(value)").tls == mode)
    }

    @Test("an unknown tls mode (a Go-registered config name) is refused", arguments: ["custom", "verify-full", "yes", "on"])
    func unknownTLSMode(value: String) {
        refuse("u:secret@tcp(h:1)/db?tls=\(value)", mentioning: ["parameter tls", "\"\(value)\"", "skip-verify"])
    }

    @Test("tls modes map onto libmariadb's options")
    func tlsPolicy() {
        typealias Policy = MySQLTLSPolicy
        #expect(Policy(.disabled, allowFallbackToPlaintext: false) == Policy(requestTLS: false, verifyServerCertificate: false, requireTLS: false))
        #expect(Policy(.verify, allowFallbackToPlaintext: false) == Policy(requestTLS: true, verifyServerCertificate: true, requireTLS: true))
        #expect(Policy(.skipVerify, allowFallbackToPlaintext: false) == Policy(requestTLS: true, verifyServerCertificate: false, requireTLS: true))
        #expect(Policy(.skipVerify, allowFallbackToPlaintext: true) == Policy(requestTLS: true, verifyServerCertificate: false, requireTLS: false))
        #expect(Policy(.preferred, allowFallbackToPlaintext: false) == Policy(requestTLS: true, verifyServerCertificate: false, requireTLS: false))
    }

    @Test("boolean parameters take Go's spellings and refuse others")
    func booleans() throws {
        let dsn = try parse("u:p@tcp(h:1)/db?parseTime=true&clientFoundRows=1&columnsWithAlias=True&interpolateParams=TRUE&multiStatements=false&rejectReadOnly=1&allowNativePasswords=0&allowCleartextPasswords=true&compress=1&checkConnLiveness=false")
        #expect(dsn.parseTime && dsn.clientFoundRows && dsn.columnsWithAlias && dsn.interpolateParams)
        #expect(!dsn.multiStatements && dsn.rejectReadOnly && dsn.compress && !dsn.checkConnLiveness)
        #expect(!dsn.allowNativePasswords && dsn.allowCleartextPasswords)
        #expect(ConnectionSettings.plugins(dsn) == ["caching_sha2_password", "sha256_password", "client_ed25519", "mysql_clear_password"])
        #expect(ConnectionSettings.plugins(try parse("/")).first == "mysql_native_password")
        refuse("u:secret@tcp(h:1)/db?parseTime=yes", mentioning: ["parameter parseTime", "\"yes\""])
        refuse("u:secret@tcp(h:1)/db?rejectReadOnly=on", mentioning: ["rejectReadOnly"])
    }

    @Test("charset, collation, loc, maxAllowedPacket, connectionAttributes")
    func otherParameters() throws {
        let dsn = try parse("u:p@tcp(h:1)/db?charset=utf8mb4,utf8&collation=utf8mb4_unicode_ci&loc=Europe%2FParis&maxAllowedPacket=0&connectionAttributes=program_name:step-ca,env:prod")
        #expect(dsn.charsets == ["utf8mb4", "utf8"])
        #expect(dsn.collation == "utf8mb4_unicode_ci")
        #expect(dsn.location == "Europe/Paris")
        #expect(dsn.maxAllowedPacket == 0)
        #expect(dsn.connectionAttributes == [.init(key: "program_name", value: "step-ca"), .init(key: "env", value: "prod")])
        #expect(try parse("/").maxAllowedPacket == 64 << 20, "the Go driver's default")
        refuse("u:secret@tcp(h:1)/db?maxAllowedPacket=lots", mentioning: ["maxAllowedPacket"])
        refuse("u:secret@tcp(h:1)/db?maxAllowedPacket=-1", mentioning: ["maxAllowedPacket"])
        refuse("u:secret@tcp(h:1)/db?charset=utf8;DROP", mentioning: ["character set"])
        refuse("u:secret@tcp(h:1)/db?collation=a%20b", mentioning: ["collation"])
        refuse("u:secret@tcp(h:1)/db?loc=..%2Fetc", mentioning: ["loc"])
        refuse("u:secret@tcp(h:1)/db?interpolateParams=true&collation=sjis_japanese_ci", mentioning: ["collation", "interpolateParams"])
        #expect(try parse("u:p@tcp(h:1)/db?collation=sjis_japanese_ci").collation == "sjis_japanese_ci")
    }

    @Test("unknown parameters become session variables: decoded, in order, the last repeat wins")
    func sessionVariables() throws {
        let dsn = try parse("u:p@tcp(h:1)/db?sql_mode=%27ANSI_QUOTES%2CNO_ZERO_DATE%27&wait_timeout=600&time_zone=%27%2B00%3A00%27&innodb_lock_wait_timeout=5&transaction_isolation=READ-COMMITTED&sql_mode=TRADITIONAL&note=a+b")
        #expect(dsn.sessionVariables.map(\.name) == ["wait_timeout", "time_zone", "innodb_lock_wait_timeout", "transaction_isolation", "sql_mode", "note"])
        #expect(dsn.sessionVariables.map(\.value) == [
            .number("600"), .string("+00:00"), .number("5"), .string("READ-COMMITTED"), .word("TRADITIONAL"), .string("a b"),
        ])
        #expect(MySQLDSN.sessionValue("'it''s'") == .string("it''s"), "one layer of quotes is removed, the rest is literal text")
        #expect(MySQLDSN.sessionValue("\"x\"") == .string("x"))
        #expect(MySQLDSN.sessionValue("-1.5") == .number("-1.5"))
        #expect(MySQLDSN.sessionValue("1; DROP TABLE x") == .string("1; DROP TABLE x"))
    }

    @Test("a parameter name that is not a system variable name is refused", arguments: ["x-y", "a%20b", "1abc", "@@x", "a.b"])
    func badParameterNames(key: String) {
        refuse("u:secret@tcp(h:1)/db?\(key)=1", mentioning: ["parameter \(key)"])
    }

    @Test("invalid %-escapes in parameter values are refused")
    func badParameterEscapes() {
        refuse("u:secret@tcp(h:1)/db?sql_mode=%zz", mentioning: ["parameter sql_mode", "%-escape"])
    }

    @Test("autocommit=true is accepted, autocommit=false refused; serverPubKey and strict refused")
    func refusedParameters() throws {
        #expect(try parse("u:p@tcp(h:1)/db?autocommit=1").sessionVariables.isEmpty)
        #expect(try parse("u:p@tcp(h:1)/db?autocommit=true").sessionVariables.isEmpty)
        refuse("u:secret@tcp(h:1)/db?autocommit=false", mentioning: ["autocommit"])
        refuse("u:secret@tcp(h:1)/db?serverPubKey=mykey", mentioning: ["serverPubKey", "Go code"])
        refuse("u:secret@tcp(h:1)/db?strict=true", mentioning: ["strict"])
    }

    @Test("segments without '=' are skipped as the Go driver skips them, and remembered for a warning")
    func segmentsWithoutValue() throws {
        let dsn = try parse("u:p@tcp(h:1)/db?parseTime&&timeout=1s&")
        #expect(dsn.skippedSegments == ["parseTime"])
        #expect(!dsn.parseTime)
        #expect(dsn.connectTimeout == 1_000_000_000)
    }

    // MARK: Masking

    @Test("masking hides exactly the password", arguments: [
        ("user:secret@tcp(h:1)/db", "user:***@tcp(h:1)/db"),
        ("user:se@cr:et@tcp(h:1)/db?x=1", "user:***@tcp(h:1)/db?x=1"),
        ("user:se/cret@tcp(h:1)/db", "user:***@tcp(h:1)/db"),
        ("user:sec/ret@tcp(h:1)", "user:***@tcp(h:1)"),
        ("user@tcp(h:1)/db", "user@tcp(h:1)/db"),
        ("tcp(h:1)/db", "tcp(h:1)/db"),
        ("root:secret/db", "root:***"),
        ("user:@tcp(h:1)/db", "user:***@tcp(h:1)/db"),
    ])
    func masking(dsn: String, masked: String) {
        #expect(MySQLDSN.masked(dsn) == masked)
    }

    // MARK: The ca.json stanza

    @Test("the database field overrides the DSN's; either is required")
    func databaseField() throws {
        let fromDSN = try MySQLConfig.parse(#"{"type":"mysql","dataSource":"u:p@tcp(h:1)/fromdsn"}"#)
        #expect(fromDSN.database == "fromdsn")
        #expect(fromDSN.maxConnections == 8)
        let overridden = try MySQLConfig.parse(#"{"type":"mariadb","dataSource":"u:p@tcp(h:1)/fromdsn","database":"Other_DB","maxConnections":3}"#)
        #expect(overridden.database == "Other_DB")
        #expect(overridden.maxConnections == 3)
        #expect(try MySQLConfig.parse(#"{"type":"MySQL","dataSource":"u:p@tcp(h:1)/","database":"x"}"#).database == "x")

        func refuseConfig(_ json: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let error = #expect(throws: PluginError.self, sourceLocation: sourceLocation) { try MySQLConfig.parse(json) }
            #expect(error?.code == .invalidArgument, sourceLocation: sourceLocation)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")", sourceLocation: sourceLocation)
            #expect(error?.message.contains("secret") == false, sourceLocation: sourceLocation)
        }
        refuseConfig(#"{"type":"mysql","dataSource":"u:secret@tcp(h:1)/"}"#, "db.database")
        refuseConfig(#"{"type":"mysql"}"#, "db.dataSource is required")
        refuseConfig(#"{"type":"postgresql","dataSource":"u:secret@tcp(h:1)/x"}"#, "db.type")
        refuseConfig(#"{"type":"mysql","dataSource":"u:secret@tcp(h:1)/x","maxConnections":0}"#, "db.maxConnections")
        refuseConfig(#"{"type":"mysql","dataSource":"u:secret@tcp(h:1)/x","database":"ends with space "}"#, "db.database")
        refuseConfig(#"{"type":"mysql","dataSource":"u:secret@tcp(h:1)/x","database":"\#(String(repeating: "d", count: 65))"}"#, "at most 64")
        refuseConfig("not json", "db: not a JSON object")
    }

    @Test("connection settings: 10 s connect timeout unless the DSN says otherwise; a target for messages")
    func connectionSettings() throws {
        let plain = ConnectionSettings(dsn: try parse("u:p@tcp(h:1)/"), database: "ca")
        #expect(plain.connectTimeoutSeconds == 10)
        #expect(plain.readTimeoutSeconds == 0)
        #expect(plain.target == "h:1 database \"ca\"")
        let tuned = ConnectionSettings(dsn: try parse("u:p@unix(/s)/?timeout=1500ms&readTimeout=30s&writeTimeout=0"), database: "ca")
        #expect(tuned.connectTimeoutSeconds == 2)
        #expect(tuned.readTimeoutSeconds == 30)
        #expect(tuned.writeTimeoutSeconds == 0)
        #expect(tuned.target == "unix socket /s database \"ca\"")
    }

    // MARK: SQL text

    @Test("identifiers are backquoted with embedded backquotes doubled; names MySQL refuses are invalid")
    func identifiers() throws {
        #expect(MySQLIdentifier.quote("x509_certs") == "`x509_certs`")
        #expect(MySQLIdentifier.quote("a`b") == "`a``b`")
        #expect(MySQLIdentifier.quote("`\u{301}") == "```\u{301}`", "a backquote with a combining mark is still doubled")
        #expect(try MySQLIdentifier(table: Array("acme_keyID_accountID_index".utf8)).text == "acme_keyID_accountID_index")
        for bad in [[UInt8](), [0x61, 0x00], [0xff, 0xfe], Array("trailing ".utf8), Array(String(repeating: "t", count: 65).utf8), Array("😀".utf8)] {
            let error = #expect(throws: PluginError.self) { try MySQLIdentifier(table: bad) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("values reach SQL only as hex literals")
    func sqlText() {
        let table = MySQLIdentifier("t`x")
        let key: [UInt8] = [0x27, 0x00, 0x5c, 0xff]
        let sql: SQL = "SELECT nvalue FROM \(table) WHERE nkey = \(hex: key) AND v = \(hex: []) AND s = \(text: "a'b")"
        #expect(sql.description == "SELECT nvalue FROM `t``x` WHERE nkey = X'27005CFF' AND v = X'' AND s = CONVERT(X'612762' USING utf8mb4)")
    }
}
