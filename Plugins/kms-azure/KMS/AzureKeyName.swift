/// A key name as step-ca writes it: `azurekms:name=KEY;vault=VAULT` with optional
/// `?version=V&hsm=true`. The vault may be left out when the kms URI names a default vault
/// (`vault=` there) or replaces the vault URL (`endpoint=`).
public struct AzureKeyName: Sendable, Equatable {
    /// The key's name in the vault (1–127 letters, digits and dashes).
    public var name: String
    /// The vault's name (`my-vault` of `https://my-vault.vault.azure.net`), when given.
    public var vault: String?
    /// The key version (32 hex digits in Azure), when given; nil means the latest.
    public var version: String?
    /// `hsm=true`: create an HSM-protected key (EC-HSM / RSA-HSM).
    public var hsm: Bool?

    public init(name: String, vault: String? = nil, version: String? = nil, hsm: Bool? = nil) {
        self.name = name
        self.vault = vault
        self.version = version
        self.hsm = hsm
    }

    /// Parses `azurekms:name=...;vault=...?version=...&hsm=true`.
    public init(parsing text: String) throws {
        let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        let uri = try AzureKMSURI(parsing: trimmed)
        guard let name = uri["name"] else {
            throw AzureKMSError.invalidName(text, "the key name is missing (azurekms:name=KEY;vault=VAULT)")
        }
        guard name.count <= 127, name.utf8.allSatisfy(Self.isNameByte) else {
            throw AzureKMSError.invalidName(text, "key names are 1 to 127 letters, digits and dashes")
        }
        if let vault = uri["vault"] {
            guard (3...24).contains(vault.count), vault.utf8.allSatisfy(Self.isNameByte) else {
                throw AzureKMSError.invalidName(text, "vault names are 3 to 24 letters, digits and dashes")
            }
        }
        if let version = uri["version"] {
            guard version.utf8.allSatisfy({ Self.isNameByte($0) && $0 != UInt8(ascii: "-") }) else {
                throw AzureKMSError.invalidName(text, "version \"\(version)\" is not a Key Vault key version")
            }
        }
        self.init(name: name, vault: uri["vault"], version: uri["version"], hsm: try uri.flag("hsm"))
    }

    /// The name to write into ca.json: `azurekms:name=N;vault=V?version=X`.
    public var uriString: String {
        var text = "azurekms:name=\(name)"
        if let vault { text += ";vault=\(vault)" }
        if let version { text += "?version=\(version)" }
        return text
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): return true
        default: return false
        }
    }
}
