import StepConfig

/// What libmariadb is told for TLS, from the DSN's `tls` mode.
///
/// libmariadb asks for TLS when `MYSQL_OPT_SSL_ENFORCE` is set; with
/// `MYSQL_OPT_SSL_VERIFY_SERVER_CERT` too it refuses a server without TLS and verifies the
/// certificate and host name, but without verification it silently continues in plaintext. The
/// Go driver's `skip-verify` needs TLS, so the plugin checks the negotiated cipher itself.
struct MySQLTLSPolicy: Equatable {
    /// `MYSQL_OPT_SSL_ENFORCE`.
    var requestTLS: Bool
    /// `MYSQL_OPT_SSL_VERIFY_SERVER_CERT` (certificate chain against the system roots, and host name).
    var verifyServerCertificate: Bool
    /// Whether a connection that ended up without TLS is refused after connecting.
    var requireTLS: Bool

    init(requestTLS: Bool, verifyServerCertificate: Bool, requireTLS: Bool) {
        self.requestTLS = requestTLS
        self.verifyServerCertificate = verifyServerCertificate
        self.requireTLS = requireTLS
    }

    init(_ mode: MySQLDSN.TLSMode, allowFallbackToPlaintext: Bool) {
        switch mode {
        case .disabled:
            self.init(requestTLS: false, verifyServerCertificate: false, requireTLS: false)
        case .verify:
            self.init(requestTLS: true, verifyServerCertificate: true, requireTLS: true)
        case .skipVerify:
            self.init(requestTLS: true, verifyServerCertificate: false, requireTLS: !allowFallbackToPlaintext)
        case .preferred:
            self.init(requestTLS: true, verifyServerCertificate: false, requireTLS: false)
        }
    }
}

/// Everything needed to open one connection, derived once from the configuration.
struct ConnectionSettings {
    let dsn: MySQLDSN
    /// The database every pooled connection uses.
    let database: MySQLIdentifier
    let tls: MySQLTLSPolicy
    /// Seconds for `MYSQL_OPT_CONNECT_TIMEOUT` (0: none); 10 when the DSN has no `timeout`.
    let connectTimeoutSeconds: UInt32
    let readTimeoutSeconds: UInt32
    let writeTimeoutSeconds: UInt32
    /// The authentication plugins the connection may use (`MARIADB_OPT_RESTRICTED_AUTH`).
    let authenticationPlugins: [String]

    static let defaultConnectTimeoutSeconds: UInt32 = 10

    init(dsn: MySQLDSN, database: String) {
        self.dsn = dsn
        self.database = MySQLIdentifier(database)
        self.tls = MySQLTLSPolicy(dsn.tls, allowFallbackToPlaintext: dsn.allowFallbackToPlaintext)
        self.connectTimeoutSeconds = dsn.connectTimeout.map(Self.ceilingSeconds) ?? Self.defaultConnectTimeoutSeconds
        self.readTimeoutSeconds = Self.ceilingSeconds(dsn.readTimeout)
        self.writeTimeoutSeconds = Self.ceilingSeconds(dsn.writeTimeout)
        self.authenticationPlugins = Self.plugins(dsn)
    }

    /// The Go driver's authentication methods, restricted by its `allow*Passwords` parameters.
    static func plugins(_ dsn: MySQLDSN) -> [String] {
        var plugins = ["caching_sha2_password", "sha256_password", "client_ed25519"]
        if dsn.allowNativePasswords { plugins.insert("mysql_native_password", at: 0) }
        if dsn.allowCleartextPasswords { plugins.append("mysql_clear_password") }
        if dsn.allowOldPasswords { plugins.append("mysql_old_password") }
        return plugins
    }

    /// "127.0.0.1:3306 database \"stepca\"" or "unix socket /run/mysqld.sock database \"stepca\"".
    var target: String { "\(dsn.endpoint) database \"\(database.text)\"" }

    /// Whole seconds for libmariadb's timeout options, rounding any fraction up (500ms → 1 s).
    static func ceilingSeconds(_ nanoseconds: Int64) -> UInt32 {
        guard nanoseconds > 0 else { return 0 }
        return UInt32(clamping: (nanoseconds + 999_999_999) / 1_000_000_000)
    }
}
