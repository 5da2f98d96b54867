/// GCP instance identity provisioner settings.
public struct GCPProvisioner: Sendable, Equatable {
    /// Service accounts allowed; empty means any.
    public var serviceAccounts: [String]
    /// Project ids allowed; empty means any.
    public var projectIDs: [String]
    /// Organization whose projects are allowed (exclusive with `projectIDs`).
    public var organizationID: String?
    /// Whether only the instance's own names may be requested.
    public var disableCustomSANs: Bool
    /// Whether an instance may get more than one certificate.
    public var disableTrustOnFirstUse: Bool
    /// Whether SSH user certificates are refused; `nil` means true.
    public var disableSSHCAUser: Bool?
    /// Whether SSH host certificates are refused; `nil` means false.
    public var disableSSHCAHost: Bool?
    /// Maximum instance age; `nil` or zero means unlimited.
    public var instanceAge: GoDuration?

    /// Makes GCP settings.
    public init(serviceAccounts: [String] = [], projectIDs: [String] = [], organizationID: String? = nil,
                disableCustomSANs: Bool = false, disableTrustOnFirstUse: Bool = false,
                disableSSHCAUser: Bool? = nil, disableSSHCAHost: Bool? = nil, instanceAge: GoDuration? = nil) {
        self.serviceAccounts = serviceAccounts
        self.projectIDs = projectIDs
        self.organizationID = organizationID
        self.disableCustomSANs = disableCustomSANs
        self.disableTrustOnFirstUse = disableTrustOnFirstUse
        self.disableSSHCAUser = disableSSHCAUser
        self.disableSSHCAHost = disableSSHCAHost
        self.instanceAge = instanceAge
    }
}
