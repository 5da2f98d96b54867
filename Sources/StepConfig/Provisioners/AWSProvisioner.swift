/// AWS instance identity provisioner settings.
public struct AWSProvisioner: Sendable, Equatable {
    /// AWS account ids allowed to get certificates; empty means any.
    public var accounts: [String]
    /// Whether only the instance's own names may be requested.
    public var disableCustomSANs: Bool
    /// Whether an instance may get more than one certificate.
    public var disableTrustOnFirstUse: Bool
    /// Metadata service versions to try, as written; `nil` means `["v2", "v1"]`.
    public var imdsVersions: [String]?
    /// Maximum instance age; `nil` or zero means unlimited.
    public var instanceAge: GoDuration?
    /// File with extra roots for identity document signatures (`iidRoots`).
    public var iidRoots: String?

    /// Metadata service versions used when none are given.
    public static let defaultIMDSVersions = ["v2", "v1"]

    /// Makes AWS settings.
    public init(accounts: [String] = [], disableCustomSANs: Bool = false, disableTrustOnFirstUse: Bool = false,
                imdsVersions: [String]? = nil, instanceAge: GoDuration? = nil, iidRoots: String? = nil) {
        self.accounts = accounts
        self.disableCustomSANs = disableCustomSANs
        self.disableTrustOnFirstUse = disableTrustOnFirstUse
        self.imdsVersions = imdsVersions
        self.instanceAge = instanceAge
        self.iidRoots = iidRoots
    }

    /// The metadata service versions in effect.
    public var effectiveIMDSVersions: [String] {
        guard let imdsVersions, !imdsVersions.isEmpty else { return AWSProvisioner.defaultIMDSVersions }
        return imdsVersions
    }
}
