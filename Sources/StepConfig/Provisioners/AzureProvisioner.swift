/// Azure managed identity provisioner settings.
public struct AzureProvisioner: Sendable, Equatable {
    /// Azure AD tenant id; also the provisioner's id (required).
    public var tenantID: String
    /// Resource groups allowed; empty means any.
    public var resourceGroups: [String]
    /// Subscription ids allowed; empty means any.
    public var subscriptionIDs: [String]
    /// Managed identity object ids allowed; empty means any.
    public var objectIDs: [String]
    /// Token audience; `nil` means `https://management.azure.com/`.
    public var audience: String?
    /// Whether only the instance's own names may be requested.
    public var disableCustomSANs: Bool
    /// Whether an instance may get more than one certificate.
    public var disableTrustOnFirstUse: Bool

    /// The audience used when none is given.
    public static let defaultAudience = "https://management.azure.com/"

    /// Makes Azure settings.
    public init(tenantID: String = "", resourceGroups: [String] = [], subscriptionIDs: [String] = [],
                objectIDs: [String] = [], audience: String? = nil, disableCustomSANs: Bool = false,
                disableTrustOnFirstUse: Bool = false) {
        self.tenantID = tenantID
        self.resourceGroups = resourceGroups
        self.subscriptionIDs = subscriptionIDs
        self.objectIDs = objectIDs
        self.audience = audience
        self.disableCustomSANs = disableCustomSANs
        self.disableTrustOnFirstUse = disableTrustOnFirstUse
    }

    /// The audience in effect.
    public var effectiveAudience: String {
        guard let audience, !audience.isEmpty else { return AzureProvisioner.defaultAudience }
        return audience
    }
}
