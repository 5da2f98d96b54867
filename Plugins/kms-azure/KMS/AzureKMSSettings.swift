import CloudKMSKit
import FoundationEssentials

/// The ca.json `kms` object of the Azure Key Vault plugin.
public struct AzureKMSStanza: Decodable, Sendable {
    public var type: String?
    public var uri: String?

    public init(type: String? = "azurekms", uri: String? = nil) {
        self.type = type
        self.uri = uri
    }
}

/// How the plugin gets its access tokens.
public enum AzureCredentials: Sendable, Equatable {
    /// An app registration's client secret (OAuth2 client-credentials grant at the authority).
    case clientSecret(tenantID: String, clientID: String, secret: String)
    /// The managed identity of the machine (IMDS), optionally a user-assigned one by client id.
    case managedIdentity(clientID: String?)

    /// A description for logs: the kind and the ids, never the secret.
    public var summary: String {
        switch self {
        case .clientSecret(let tenant, let client, _): return "client secret of \(client) in tenant \(tenant)"
        case .managedIdentity(let client?): return "managed identity \(client)"
        case .managedIdentity(nil): return "managed identity"
        }
    }
}

/// Everything a Key Vault client needs, resolved from the kms URI and the environment.
public struct AzureKMSSettings: Sendable {
    /// The IMDS host of Azure virtual machines.
    public static let defaultIMDSHost = "http://169.254.169.254"

    public var credentials: AzureCredentials
    public var cloud: AzureCloud
    /// Where client-secret tokens come from (`https://login.microsoftonline.com`), no trailing slash.
    public var authorityHost: String
    /// Where managed-identity tokens come from (`http://169.254.169.254`), no trailing slash.
    public var imdsHost: String
    /// `endpoint=`: the vault URL that replaces `https://<vault>.<suffix>`, no trailing slash.
    public var endpoint: String?
    /// `vault=` in the kms URI: the vault of key names that name none.
    public var defaultVault: String?
    /// `hsm=true` in the kms URI: create HSM-protected keys by default.
    public var defaultHSM: Bool
    /// PEM files of private trust roots (`ca-file=`, `SSL_CERT_FILE`).
    public var trustRootFiles: [String]

    /// Resolves the settings.
    ///
    /// - Credentials: `client-id`, `client-secret` and `tenant-id` in `kms.uri` → the environment's
    ///   `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` → the managed identity (a
    ///   user-assigned one when `client-id=` or `AZURE_CLIENT_ID` names it).
    /// - Cloud: `environment=` (`AzurePublicCloud` by default, `AzureChinaCloud`,
    ///   `AzureUSGovernmentCloud`, `AzureGermanCloud`); `authority-host=` in `kms.uri`, else
    ///   `AZURE_AUTHORITY_HOST`, replaces its authority host; `AZURE_POD_IDENTITY_AUTHORITY_HOST`
    ///   replaces the IMDS host.
    /// - Vault URL: `endpoint=` in `kms.uri`, else `https://<vault>.<cloud suffix>`.
    /// - Trust roots: `ca-file=` in `kms.uri`, and `SSL_CERT_FILE`, beside the system's.
    public static func resolve(stanza: AzureKMSStanza, environment: [String: String],
                               readFile: (String) -> [UInt8]? = AzureKMSSettings.readFile) throws -> AzureKMSSettings {
        let uri = try stanza.uri.flatMap { $0.isEmpty ? nil : try AzureKMSURI(parsing: $0) } ?? AzureKMSURI()
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        var cloud = AzureCloud.publicCloud
        if let name = uri["environment"] {
            guard let named = AzureCloud.named(name) else {
                throw AzureKMSError.configuration("unknown environment \"\(name)\" (AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud, AzureGermanCloud)")
            }
            cloud = named
        }
        let credentials: AzureCredentials
        let given = [("client-id", uri["client-id"]), ("client-secret", uri["client-secret"]), ("tenant-id", uri["tenant-id"])]
        if uri["client-secret"] != nil || uri["tenant-id"] != nil {
            let missing = given.filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty, let client = uri["client-id"], let secret = uri["client-secret"], let tenant = uri["tenant-id"] else {
                throw AzureKMSError.configuration("kms.uri has client credentials without \(missing.joined(separator: " and "))")
            }
            credentials = .clientSecret(tenantID: tenant, clientID: client, secret: secret)
        } else if let tenant = env("AZURE_TENANT_ID"), let client = uri["client-id"] ?? env("AZURE_CLIENT_ID"),
                  let secret = env("AZURE_CLIENT_SECRET") {
            credentials = .clientSecret(tenantID: tenant, clientID: client, secret: secret)
        } else {
            credentials = .managedIdentity(clientID: uri["client-id"] ?? env("AZURE_CLIENT_ID"))
        }
        if case .clientSecret(let tenant, _, _) = credentials,
           tenant.isEmpty || !tenant.utf8.allSatisfy({ AzureKeyName.isNameByte($0) || $0 == UInt8(ascii: ".") }) {
            throw AzureKMSError.configuration("tenant id \"\(tenant)\" is not a tenant id or domain")
        }
        let authorityHost = try uri["authority-host"].map { try url($0, "authority-host") }
            ?? url(env("AZURE_AUTHORITY_HOST") ?? cloud.authorityHost, "AZURE_AUTHORITY_HOST")
        let imdsHost = try url(env("AZURE_POD_IDENTITY_AUTHORITY_HOST") ?? defaultIMDSHost, "AZURE_POD_IDENTITY_AUTHORITY_HOST")
        let endpoint = try uri["endpoint"].map { try url($0, "endpoint") }
        if let vault = uri["vault"], !((3...24).contains(vault.count) && vault.utf8.allSatisfy(AzureKeyName.isNameByte)) {
            throw AzureKMSError.configuration("vault \"\(vault)\" is not a vault name (3 to 24 letters, digits and dashes)")
        }
        let roots = TrustRoots.files(caFile: uri["ca-file"], environment: environment)
        for file in roots where readFile(file) == nil {
            throw AzureKMSError.configuration("cannot read the CA file \(file)")
        }
        return AzureKMSSettings(credentials: credentials, cloud: cloud, authorityHost: authorityHost, imdsHost: imdsHost,
                                endpoint: endpoint, defaultVault: uri["vault"], defaultHSM: try uri.flag("hsm") ?? false,
                                trustRootFiles: roots)
    }

    /// The vault URL for a key (no trailing slash): `endpoint=`, else `https://<vault>.<suffix>`.
    public func vaultURL(for key: AzureKeyName, text: String) throws -> String {
        if let endpoint { return endpoint }
        guard let vault = key.vault ?? defaultVault else {
            throw AzureKMSError.invalidName(text, "no vault: add ;vault=NAME to the key or the kms URI")
        }
        return "https://\(vault.lowercased()).\(cloud.vaultSuffix)"
    }

    /// Reads a file, or nil when it cannot be read.
    public static func readFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    static func url(_ text: String, _ what: String) throws -> String {
        var value = text
        while value.hasSuffix("/") { value.removeLast() }
        guard value.hasPrefix("https://") || value.hasPrefix("http://"), value.count > "https://".count else {
            throw AzureKMSError.configuration("\(what) \"\(text)\" is not an http(s) URL")
        }
        return value
    }
}
