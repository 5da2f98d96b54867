/// JWK provisioner settings.
public struct JWKProvisioner: Sendable, Equatable {
    /// The public key tokens are verified with (required).
    public var key: JSONWebKey
    /// The private key as a compact JWE, served publicly for `step ca token`.
    public var encryptedKey: String?

    /// Makes JWK settings.
    public init(key: JSONWebKey, encryptedKey: String? = nil) {
        self.key = key
        self.encryptedKey = encryptedKey
    }
}
