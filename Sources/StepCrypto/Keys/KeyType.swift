/// The algorithm and size of a key, as shown to people ("ECDSA P-256", "RSA 2048", "Ed25519").
public enum KeyType: Hashable, Sendable, CustomStringConvertible {
    case ecdsaP256
    case ecdsaP384
    case ecdsaP521
    /// RSA with the modulus size in bits.
    case rsa(bits: Int)
    case ed25519

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
