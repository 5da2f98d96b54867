/// A JSON Web Key as written in ca.json (a JWK provisioner's `key`, an
/// `ssh.keys[].key`): the exact text plus the members the CA looks at.
public struct JSONWebKey: Sendable, Equatable {
    /// The key object exactly as written, for re-emitting and full parsing.
    public var rawJSON: String
    /// Key id (`kid`); for step-generated keys the RFC 7638 thumbprint.
    public var keyID: String?
    /// Key type: `EC`, `RSA`, `OKP`, `oct`.
    public var keyType: String?
    /// Curve for EC and OKP keys: `P-256`, `P-384`, `P-521`, `Ed25519`.
    public var curve: String?
    /// Algorithm, e.g. `ES256`.
    public var algorithm: String?
    /// Intended use, normally `sig`.
    public var use: String?
    /// Whether the object carries private material (`d`, `p`, `q`, `k`, ...).
    public var hasPrivateMembers: Bool

    /// Makes a key description.
    public init(rawJSON: String, keyID: String? = nil, keyType: String? = nil, curve: String? = nil,
                algorithm: String? = nil, use: String? = nil, hasPrivateMembers: Bool = false) {
        self.rawJSON = rawJSON
        self.keyID = keyID
        self.keyType = keyType
        self.curve = curve
        self.algorithm = algorithm
        self.use = use
        self.hasPrivateMembers = hasPrivateMembers
    }
}
