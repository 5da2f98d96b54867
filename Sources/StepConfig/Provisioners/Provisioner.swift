/// One entry of `authority.provisioners`.
public struct Provisioner: Sendable, Equatable {
    /// `type` exactly as spelled in the file (`"JWK"`, `"jwk"`...).
    public var typeName: String
    /// Unique provisioner name.
    public var name: String
    /// The provisioner's own claims, laid over the authority's.
    public var claims: Claims?
    /// Templates and webhooks (SSHPOP has none).
    public var options: ProvisionerOptions?
    /// The type-specific settings.
    public var details: ProvisionerDetails
    /// The object exactly as written, for `GET /provisioners`.
    public var rawJSON: String
    /// Position in `authority.provisioners` (unknown types keep their slot).
    public var index: Int
    /// Why step-ca would keep this provisioner but mark it "Uninitialized"
    /// (invalid claims, missing type-specific settings...), or `nil`.
    public var uninitializedReason: String?

    /// Makes a provisioner.
    public init(typeName: String, name: String, claims: Claims? = nil, options: ProvisionerOptions? = nil,
                details: ProvisionerDetails, rawJSON: String, index: Int, uninitializedReason: String? = nil) {
        self.typeName = typeName
        self.name = name
        self.claims = claims
        self.options = options
        self.details = details
        self.rawJSON = rawJSON
        self.index = index
        self.uninitializedReason = uninitializedReason
    }

    /// The provisioner's type.
    public var type: ProvisionerType { details.type }

    /// Where the provisioner is in ca.json: `authority.provisioners[2]`.
    public var path: JSONPath {
        JSONPath(components: [.key("authority"), .key("provisioners"), .index(index)])
    }

    /// step-ca's unique id for the provisioner (`GetID`): `name:kid` for JWK,
    /// the client id for OIDC, the tenant id for Azure, `type/name` otherwise.
    public var id: String {
        switch details {
        case .jwk(let jwk): return name + ":" + (jwk.key.keyID ?? "")
        case .oidc(let oidc): return oidc.clientID
        case .azure(let azure): return azure.tenantID
        case .x5c: return "x5c/" + name
        case .sshpop: return "sshpop/" + name
        case .acme: return "acme/" + name
        case .k8sSA: return "k8sSA/" + name
        case .aws: return "aws/" + name
        case .gcp: return "gcp/" + name
        case .scep: return "scep/" + name
        case .nebula: return "nebula/" + name
        }
    }
}

/// The settings particular to each provisioner type.
public enum ProvisionerDetails: Sendable, Equatable {
    /// JSON Web Key tokens.
    case jwk(JWKProvisioner)
    /// OpenID Connect.
    case oidc(OIDCProvisioner)
    /// X.509-certificate-signed tokens.
    case x5c(X5CProvisioner)
    /// SSH proof of possession (no settings of its own).
    case sshpop
    /// ACME.
    case acme(ACMEProvisioner)
    /// Kubernetes service accounts.
    case k8sSA(K8sSAProvisioner)
    /// AWS instance identity.
    case aws(AWSProvisioner)
    /// GCP instance identity.
    case gcp(GCPProvisioner)
    /// Azure managed identity.
    case azure(AzureProvisioner)
    /// SCEP.
    case scep(SCEPProvisioner)
    /// Nebula certificates.
    case nebula(NebulaProvisioner)

    /// The type these settings belong to.
    public var type: ProvisionerType {
        switch self {
        case .jwk: return .jwk
        case .oidc: return .oidc
        case .x5c: return .x5c
        case .sshpop: return .sshpop
        case .acme: return .acme
        case .k8sSA: return .k8sSA
        case .aws: return .aws
        case .gcp: return .gcp
        case .azure: return .azure
        case .scep: return .scep
        case .nebula: return .nebula
        }
    }
}
