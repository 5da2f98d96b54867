import PluginKit

/// How ABI algorithms and key requests map to Key Vault's JWA names and key types.
public enum KeyVaultAlgorithms {
    /// The JWA name (`ES256`, `RS384`, `PS512`), the digest length and, for ECDSA, the curve it needs.
    public static func signing(_ algorithm: SignatureAlgorithm) throws -> (alg: String, digestLength: Int, curve: String?) {
        switch algorithm {
        case .ecdsaSHA256: return ("ES256", 32, "P-256")
        case .ecdsaSHA384: return ("ES384", 48, "P-384")
        case .ecdsaSHA512: return ("ES512", 64, "P-521")
        case .rsaPKCS1SHA256: return ("RS256", 32, nil)
        case .rsaPKCS1SHA384: return ("RS384", 48, nil)
        case .rsaPKCS1SHA512: return ("RS512", 64, nil)
        case .rsaPSSSHA256: return ("PS256", 32, nil)
        case .rsaPSSSHA384: return ("PS384", 48, nil)
        case .rsaPSSSHA512: return ("PS512", 64, nil)
        case .ed25519: throw PluginError.unsupported("Azure Key Vault has no Ed25519 keys")
        }
    }

    /// The create-key body for a request: `EC`/`EC-HSM` with the curve, `RSA`/`RSA-HSM` with the
    /// size (3072 bits by default, as step-ca), key operations sign and verify.
    public static func createRequest(_ request: KeyRequest, hsm: Bool) throws -> KeyVaultAPI.CreateKeyRequest {
        var type = request.type
        if let algorithm = request.signatureAlgorithm {
            switch algorithm {
            case .ecdsaSHA256: type = .ecP256
            case .ecdsaSHA384: type = .ecP384
            case .ecdsaSHA512: type = .ecP521
            case .ed25519: throw PluginError.unsupported("Azure Key Vault has no Ed25519 keys")
            default: type = .rsa
            }
        }
        let suffix = hsm ? "-HSM" : ""
        let attributes = KeyVaultAPI.KeyAttributes(enabled: true)
        switch type {
        case .ecP256, .ecP384, .ecP521:
            let curve = type == .ecP256 ? "P-256" : type == .ecP384 ? "P-384" : "P-521"
            return .init(kty: "EC" + suffix, crv: curve, key_size: nil, key_ops: ["sign", "verify"], attributes: attributes)
        case .rsa:
            let bits = request.bits == 0 ? 3072 : request.bits
            guard [2048, 3072, 4096].contains(bits) else {
                throw PluginError.invalidArgument("Azure Key Vault: RSA keys are 2048, 3072 or 4096 bits, not \(bits)")
            }
            return .init(kty: "RSA" + suffix, crv: nil, key_size: bits, key_ops: ["sign", "verify"], attributes: attributes)
        case .ed25519:
            throw PluginError.unsupported("Azure Key Vault has no Ed25519 keys")
        }
    }
}
