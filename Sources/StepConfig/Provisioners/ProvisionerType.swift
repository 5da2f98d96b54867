/// The eleven provisioner types step-ca knows. ca.json matches `type`
/// ignoring case.
public enum ProvisionerType: String, Sendable, CaseIterable {
    /// One-time tokens signed by a JSON Web Key.
    case jwk
    /// OpenID Connect identity tokens.
    case oidc
    /// Tokens signed by a key whose certificate chains to configured roots.
    case x5c
    /// Tokens signed by an SSH host certificate's key (renew, rekey, revoke).
    case sshpop
    /// The ACME protocol.
    case acme
    /// Kubernetes service account tokens.
    case k8sSA = "k8ssa"
    /// AWS instance identity documents.
    case aws
    /// GCP instance identity tokens.
    case gcp
    /// Azure managed identity tokens.
    case azure
    /// The SCEP protocol.
    case scep
    /// Tokens signed by a Nebula certificate's key.
    case nebula

    /// The type for a ca.json `type` value, ignoring case; `nil` when unknown.
    public init?(configValue: String) {
        self.init(rawValue: configValue.lowercased())
    }

    /// The upper-case enum name the admin API and database use (`JWK`, `K8SSA`, `AZURE`...).
    public var adminName: String {
        rawValue.uppercased()
    }
}
