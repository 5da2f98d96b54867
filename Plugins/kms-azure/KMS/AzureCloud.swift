/// The Azure clouds the `environment=` attribute names: their AAD authority host and Key Vault
/// DNS suffix (the token scope is `https://<suffix>/.default`).
public struct AzureCloud: Sendable, Equatable {
    public var authorityHost: String
    public var vaultSuffix: String

    /// The vault resource tokens are requested for (`https://vault.azure.net`).
    public var vaultResource: String { "https://" + vaultSuffix }

    public static let publicCloud = AzureCloud(authorityHost: "https://login.microsoftonline.com", vaultSuffix: "vault.azure.net")
    public static let chinaCloud = AzureCloud(authorityHost: "https://login.chinacloudapi.cn", vaultSuffix: "vault.azure.cn")
    public static let usGovernmentCloud = AzureCloud(authorityHost: "https://login.microsoftonline.us", vaultSuffix: "vault.usgovcloudapi.net")
    public static let germanCloud = AzureCloud(authorityHost: "https://login.microsoftonline.de", vaultSuffix: "vault.microsoftazure.de")

    /// The cloud of an `environment=` value (Go SDK names, case-insensitive); nil for an unknown one.
    public static func named(_ name: String) -> AzureCloud? {
        switch name.lowercased() {
        case "azurepubliccloud", "azurecloud", "public": return .publicCloud
        case "azurechinacloud", "china": return .chinaCloud
        case "azureusgovernmentcloud", "azureusgovernment", "usgovernment": return .usGovernmentCloud
        case "azuregermancloud", "german": return .germanCloud
        default: return nil
        }
    }
}
