/// The `authority` section of ca.json.
public struct AuthorityConfig: Sendable, Equatable {
    /// Provisioners of known types, in file order (unknown types are skipped).
    public var provisioners: [Provisioner]
    /// Default subject attributes for issued certificates.
    public var template: ASN1DN?
    /// Authority-wide claims, laid over the built-ins.
    public var claims: Claims?
    /// Name policy (ignored by step-ca when `enableAdmin` is true).
    public var policy: PolicyOptions?
    /// Whether tokens issued before the CA started are accepted.
    public var disableIssuedAtCheck: Bool
    /// How far before "now" certificates start (default 1m, never negative).
    public var backdate: GoDuration
    /// Whether the admin API and database-managed provisioners are on.
    public var enableAdmin: Bool
    /// Whether `/ssh/hosts` is disabled.
    public var disableGetSSHHosts: Bool
    /// Authority identifier (linked deployments).
    public var authorityID: String?
    /// Deployment type (`StandAlone`, `Linked`, `Hosted`).
    public var deploymentType: String?
    /// Registration-authority type (`stepcas`, `cloudcas`, `vaultcas`);
    /// `nil` or `softcas` for an ordinary CA.
    public var type: String?
    /// Upstream CA reference for a registration authority.
    public var certificateAuthority: String?
    /// Upstream root fingerprint (StepCAS).
    public var certificateAuthorityFingerprint: String?
    /// How a StepCAS registration authority authenticates upstream.
    public var certificateIssuer: CertificateIssuerConfig?
    /// Credentials file for CloudCAS.
    public var credentialsFile: String?
    /// Service-specific settings (`config`) exactly as written.
    public var configJSON: String?

    /// The default `backdate`.
    public static let defaultBackdate = GoDuration.minute

    /// Makes an authority section with step-ca's defaults.
    public init(provisioners: [Provisioner] = [], template: ASN1DN? = nil, claims: Claims? = nil,
                policy: PolicyOptions? = nil, disableIssuedAtCheck: Bool = false,
                backdate: GoDuration = AuthorityConfig.defaultBackdate, enableAdmin: Bool = false,
                disableGetSSHHosts: Bool = false, authorityID: String? = nil, deploymentType: String? = nil,
                type: String? = nil, certificateAuthority: String? = nil,
                certificateAuthorityFingerprint: String? = nil,
                certificateIssuer: CertificateIssuerConfig? = nil, credentialsFile: String? = nil,
                configJSON: String? = nil) {
        self.provisioners = provisioners
        self.template = template
        self.claims = claims
        self.policy = policy
        self.disableIssuedAtCheck = disableIssuedAtCheck
        self.backdate = backdate
        self.enableAdmin = enableAdmin
        self.disableGetSSHHosts = disableGetSSHHosts
        self.authorityID = authorityID
        self.deploymentType = deploymentType
        self.type = type
        self.certificateAuthority = certificateAuthority
        self.certificateAuthorityFingerprint = certificateAuthorityFingerprint
        self.certificateIssuer = certificateIssuer
        self.credentialsFile = credentialsFile
        self.configJSON = configJSON
    }

    /// Whether this CA forwards signing to another CA (any `type` other than
    /// empty or `softcas`, compared ignoring case). Then root, crt and key are optional.
    public var isRegistrationAuthority: Bool {
        guard let type, !type.isEmpty else { return false }
        return type.lowercased() != "softcas"
    }

    /// The registration-authority types step-ca knows.
    public static let knownTypes: Set<String> = ["softcas", "stepcas", "cloudcas", "vaultcas"]
}
