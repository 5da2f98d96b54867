/// `authority.certificateIssuer`: how a registration authority (StepCAS)
/// authenticates to the upstream CA.
public struct CertificateIssuerConfig: Sendable, Equatable {
    /// `jwk` or `x5c`.
    public var type: String
    /// Provisioner name on the upstream CA.
    public var provisioner: String?
    /// Certificate for `x5c` (`crt`).
    public var crt: String?
    /// Key for `x5c` or `jwk`.
    public var key: String?
    /// Password for the key.
    public var password: String?

    /// Makes issuer settings.
    public init(type: String, provisioner: String? = nil, crt: String? = nil, key: String? = nil,
                password: String? = nil) {
        self.type = type
        self.provisioner = provisioner
        self.crt = crt
        self.key = key
        self.password = password
    }
}
