import Foundation

/// A JSON Web Key (RFC 7517) of kind EC (P-256/384/521), RSA or OKP (Ed25519), public or private.
///
/// Binary members are held decoded; JSON uses unpadded base64url. ``jsonData()`` writes members
/// in the order step (go-jose) uses, so a public key prints exactly like the `key` of a JWK
/// provisioner in `ca.json`: `use, kty, kid, crv, alg, x, y` (RSA: `use, kty, kid, alg, n, e`),
/// then the private members `d, p, q, dp, dq, qi`.
public struct JWK: Hashable, Sendable {
    /// `kty`: `EC`, `RSA` or `OKP`.
    public var keyType: String
    /// `use`, normally `sig`.
    public var use: String?
    /// `kid`; step sets it to the ``thumbprint()``.
    public var keyID: String?
    /// `crv`: `P-256`, `P-384`, `P-521` or `Ed25519`.
    public var curve: String?
    /// `alg`, such as `ES256`, `RS256` or `EdDSA`.
    public var algorithm: String?
    /// EC x coordinate, or the OKP public key.
    public var x: Data?
    /// EC y coordinate.
    public var y: Data?
    /// RSA modulus.
    public var n: Data?
    /// RSA public exponent.
    public var e: Data?
    /// EC private scalar, OKP private key (seed) or RSA private exponent.
    public var d: Data?
    /// RSA first prime.
    public var p: Data?
    /// RSA second prime.
    public var q: Data?
    /// RSA first CRT exponent.
    public var dp: Data?
    /// RSA second CRT exponent.
    public var dq: Data?
    /// RSA CRT coefficient.
    public var qi: Data?

    /// Creates a JWK from its members.
    public init(
        keyType: String, use: String? = nil, keyID: String? = nil, curve: String? = nil, algorithm: String? = nil,
        x: Data? = nil, y: Data? = nil, n: Data? = nil, e: Data? = nil,
        d: Data? = nil, p: Data? = nil, q: Data? = nil, dp: Data? = nil, dq: Data? = nil, qi: Data? = nil
    ) {
        self.keyType = keyType
        self.use = use
        self.keyID = keyID
        self.curve = curve
        self.algorithm = algorithm
        self.x = x
        self.y = y
        self.n = n
        self.e = e
        self.d = d
        self.p = p
        self.q = q
        self.dp = dp
        self.dq = dq
        self.qi = qi
    }

    /// Whether the key holds private members (`d`).
    public var isPrivate: Bool {
        self.d != nil
    }

    /// The same key without its private members.
    public var publicJWK: JWK {
        var copy = self
        copy.d = nil
        copy.p = nil
        copy.q = nil
        copy.dp = nil
        copy.dq = nil
        copy.qi = nil
        return copy
    }
}
