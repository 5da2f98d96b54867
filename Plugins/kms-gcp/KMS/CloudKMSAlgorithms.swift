import PluginKit

/// How ABI signature algorithms and key requests map to Cloud KMS algorithm names.
public enum CloudKMSAlgorithms {
    /// The digest field (`sha256`/`sha384`/`sha512`) and its length for an ABI algorithm.
    public static func digestField(_ algorithm: SignatureAlgorithm) throws -> (field: String, length: Int) {
        switch algorithm {
        case .ecdsaSHA256, .rsaPKCS1SHA256, .rsaPSSSHA256: return ("sha256", 32)
        case .ecdsaSHA384, .rsaPKCS1SHA384, .rsaPSSSHA384: return ("sha384", 48)
        case .ecdsaSHA512, .rsaPKCS1SHA512, .rsaPSSSHA512: return ("sha512", 64)
        case .ed25519: throw PluginError.unsupported("Cloud KMS: Ed25519 signatures are not supported by this plugin")
        }
    }

    /// The ABI algorithm a Cloud KMS key algorithm signs with, or nil.
    public static func signatureAlgorithm(of name: String) -> SignatureAlgorithm? {
        switch name {
        case "EC_SIGN_P256_SHA256": return .ecdsaSHA256
        case "EC_SIGN_P384_SHA384": return .ecdsaSHA384
        default: break
        }
        let sha512 = name.hasSuffix("_SHA512")
        if name.hasPrefix("RSA_SIGN_PKCS1_") { return sha512 ? .rsaPKCS1SHA512 : .rsaPKCS1SHA256 }
        if name.hasPrefix("RSA_SIGN_PSS_") { return sha512 ? .rsaPSSSHA512 : .rsaPSSSHA256 }
        return nil
    }

    /// The Cloud KMS algorithm for a key request, as step-ca chooses it (RSA defaults to 3072 bits).
    public static func keyAlgorithm(_ request: KeyRequest) throws -> String {
        let bits = request.bits == 0 ? 3072 : request.bits
        func rsa(_ scheme: String, _ hash: String) throws -> String {
            guard [2048, 3072, 4096].contains(bits) else {
                throw PluginError.invalidArgument("Cloud KMS: RSA keys are 2048, 3072 or 4096 bits, not \(bits)")
            }
            if hash == "SHA512" && bits != 4096 {
                throw PluginError.invalidArgument("Cloud KMS: RSA with SHA-512 needs a 4096-bit key")
            }
            return "RSA_SIGN_\(scheme)_\(bits)_\(hash)"
        }
        switch request.signatureAlgorithm {
        case .ecdsaSHA256?: return "EC_SIGN_P256_SHA256"
        case .ecdsaSHA384?: return "EC_SIGN_P384_SHA384"
        case .rsaPKCS1SHA256?: return try rsa("PKCS1", "SHA256")
        case .rsaPKCS1SHA512?: return try rsa("PKCS1", "SHA512")
        case .rsaPSSSHA256?: return try rsa("PSS", "SHA256")
        case .rsaPSSSHA512?: return try rsa("PSS", "SHA512")
        case let other?:
            throw PluginError.unsupported("Cloud KMS has no key algorithm for signature algorithm \(other)")
        case nil: break
        }
        switch request.type {
        case .ecP256: return "EC_SIGN_P256_SHA256"
        case .ecP384: return "EC_SIGN_P384_SHA384"
        case .rsa: return try rsa("PKCS1", "SHA256")
        case .ecP521, .ed25519:
            throw PluginError.unsupported("Cloud KMS: key type \(request.type) is not supported by this plugin")
        }
    }
}
