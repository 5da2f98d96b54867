/// The top-level `kms` object: which key manager holds the CA keys.
public struct KMSConfig: Sendable, Equatable {
    /// Key manager type, e.g. `pkcs11`, `yubikey`, `awskms`, `cloudkms`, `softkms`.
    public var type: String?
    /// Connection URI (`pkcs11:module-path=...;token=...`).
    public var uri: String?
    /// PIN for PKCS #11 modules and YubiKeys.
    public var pin: String?
    /// YubiKey management key (hex).
    public var managementKey: String?
    /// Credentials file for cloud key managers.
    public var credentialsFile: String?
    /// Cloud region (AWS KMS).
    public var region: String?
    /// Cloud profile (AWS KMS).
    public var profile: String?
    /// Directory for serialized objects (TPM KMS).
    public var storageDirectory: String?
    /// The object exactly as written in ca.json, for handing to a plugin.
    public var rawJSON: String

    /// The type in effect: `type`, else the scheme of `uri`, else `softkms`, lowercased.
    public var effectiveType: String {
        if let type, !type.isEmpty { return type.lowercased() }
        if let uri, let colon = uri.firstIndex(of: ":") { return uri[..<colon].lowercased() }
        return "softkms"
    }

    /// Makes KMS settings.
    public init(type: String? = nil, uri: String? = nil, pin: String? = nil, managementKey: String? = nil,
                credentialsFile: String? = nil, region: String? = nil, profile: String? = nil,
                storageDirectory: String? = nil, rawJSON: String = "{}") {
        self.type = type
        self.uri = uri
        self.pin = pin
        self.managementKey = managementKey
        self.credentialsFile = credentialsFile
        self.region = region
        self.profile = profile
        self.storageDirectory = storageDirectory
        self.rawJSON = rawJSON
    }
}
