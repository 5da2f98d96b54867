/// OIDC provisioner settings.
public struct OIDCProvisioner: Sendable, Equatable {
    /// OAuth client id; also the provisioner's id (required).
    public var clientID: String
    /// OAuth client secret (served publicly; may be empty).
    public var clientSecret: String
    /// The issuer's `.well-known/openid-configuration` URL (required).
    public var configurationEndpoint: String
    /// Azure AD tenant id, when the issuer is Azure.
    public var tenantID: String?
    /// Emails that may act as administrators.
    public var admins: [String]
    /// Email domains that may get certificates.
    public var domains: [String]
    /// Groups that may get certificates.
    public var groups: [String]
    /// Local callback listen address for `step` (host:port).
    public var listenAddress: String?
    /// Extra OAuth scopes requested by `step`.
    public var scopes: [String]
    /// Extra authorization request parameters used by `step`.
    public var authParams: [String]

    /// Makes OIDC settings.
    public init(clientID: String = "", clientSecret: String = "", configurationEndpoint: String = "",
                tenantID: String? = nil, admins: [String] = [], domains: [String] = [], groups: [String] = [],
                listenAddress: String? = nil, scopes: [String] = [], authParams: [String] = []) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.configurationEndpoint = configurationEndpoint
        self.tenantID = tenantID
        self.admins = admins
        self.domains = domains
        self.groups = groups
        self.listenAddress = listenAddress
        self.scopes = scopes
        self.authParams = authParams
    }
}
