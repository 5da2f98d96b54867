/// A step-ca `ca.json`, fully typed, with step-ca's defaults applied and
/// relative paths resolved against STEPPATH.
///
/// Load one with ``load(path:stepPath:)`` or ``parse(_:file:stepPath:)``.
public struct CAConfig: Sendable, Equatable {
    /// Root certificate bundle paths (`root` may be one string or a list).
    public var root: [String]
    /// Federated root bundle paths; `nil` when `null` or absent.
    public var federatedRoots: [String]?
    /// Intermediate certificate (chain) path.
    public var crt: String?
    /// Intermediate key: a file path or a key-manager URI.
    public var key: String?
    /// Key manager settings, when keys live outside files.
    public var kms: KMSConfig?
    /// HTTPS listen address, `host:port` (`":443"` listens on all interfaces).
    public var address: String
    /// Plain-HTTP listen address; `nil` when absent or empty (disabled).
    public var insecureAddress: String?
    /// Names for the CA's own TLS certificate and token audiences.
    /// `["localhost", "127.0.0.1", "::1"]` when the key is absent or `null`.
    public var dnsNames: [String]
    /// SSH certificate authority settings.
    public var ssh: SSHConfig?
    /// Request logging; `nil` means no request log lines.
    public var logger: LoggerConfig?
    /// Database settings; `nil` means the in-memory store.
    public var db: DBConfig?
    /// Monitoring settings (kept for compatibility; step-ca ignores them).
    public var monitoring: MonitoringConfig?
    /// The `authority` section, defaulted when absent.
    public var authority: AuthorityConfig
    /// TLS server options, with step-ca's defaults filled in.
    public var tls: TLSOptions
    /// Password for the intermediate key, when stored in ca.json.
    public var password: String?
    /// SSH client and server configuration templates.
    public var templates: TemplatesConfig?
    /// Common name of the CA's own TLS certificate (default `Step Online CA`).
    public var commonName: String
    /// Certificate revocation list settings.
    public var crl: CRLConfig?
    /// Address of the metrics listener, `host:port`.
    public var metricsAddress: String?
    /// The file name used in messages, e.g. `config/ca.json`.
    public var fileName: String

    /// The default `dnsNames` when the key is absent.
    public static let defaultDNSNames = ["localhost", "127.0.0.1", "::1"]
    /// The default `commonName`.
    public static let defaultCommonName = "Step Online CA"

    /// Makes a configuration; every value not given takes step-ca's default.
    public init(root: [String] = [], federatedRoots: [String]? = nil, crt: String? = nil, key: String? = nil,
                kms: KMSConfig? = nil, address: String, insecureAddress: String? = nil,
                dnsNames: [String] = CAConfig.defaultDNSNames, ssh: SSHConfig? = nil,
                logger: LoggerConfig? = nil, db: DBConfig? = nil, monitoring: MonitoringConfig? = nil,
                authority: AuthorityConfig = AuthorityConfig(), tls: TLSOptions = .default,
                password: String? = nil, templates: TemplatesConfig? = nil,
                commonName: String = CAConfig.defaultCommonName, crl: CRLConfig? = nil,
                metricsAddress: String? = nil, fileName: String = "ca.json") {
        self.root = root
        self.federatedRoots = federatedRoots
        self.crt = crt
        self.key = key
        self.kms = kms
        self.address = address
        self.insecureAddress = insecureAddress
        self.dnsNames = dnsNames
        self.ssh = ssh
        self.logger = logger
        self.db = db
        self.monitoring = monitoring
        self.authority = authority
        self.tls = tls
        self.password = password
        self.templates = templates
        self.commonName = commonName
        self.crl = crl
        self.metricsAddress = metricsAddress
        self.fileName = fileName
    }
}
