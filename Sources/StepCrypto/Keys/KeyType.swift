/// The algorithm and size of a key, as shown to people ("ECDSA P-256", "RSA 2048", "Ed25519").
public enum KeyType: Hashable, Sendable, CustomStringConvertible {
    /// ECDSA on NIST P-256 (secp256r1).
    case ecdsaP256
    /// ECDSA on NIST P-384 (secp384r1).
    case ecdsaP384
    /// ECDSA on NIST P-521 (secp521r1).
    case ecdsaP521
    /// RSA with the modulus size in bits.
    case rsa(bits: Int)
    /// EdDSA on Curve25519.
    case ed25519

    /// "ECDSA P-256", "ECDSA P-384", "ECDSA P-521", "RSA <bits>" or "Ed25519".
    public var description: String {
        switch self {
        case .ecdsaP256: return "ECDSA P-256"
        case .ecdsaP384: return "ECDSA P-384"
        case .ecdsaP521: return "ECDSA P-521"
        case .rsa(let bits): return "RSA \(bits)"
        case .ed25519: return "Ed25519"
        }
    }
}
