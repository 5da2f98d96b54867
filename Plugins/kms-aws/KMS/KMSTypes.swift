import PluginKit

/// Request and response bodies of the KMS operations the plugin uses (JSON 1.1, base64 blobs).
enum KMSAPI {
    struct KeyRef: Encodable { var KeyId: String }

    struct GetPublicKeyResponse: Decodable {
        var KeyId: String?
        var PublicKey: String
        var KeySpec: String?
        var CustomerMasterKeySpec: String?
    }

    struct SignRequest: Encodable {
        var KeyId: String
        var Message: String
        var MessageType = "DIGEST"
        var SigningAlgorithm: String
    }

    struct SignResponse: Decodable {
        var KeyId: String?
        var Signature: String
    }

    struct CreateKeyRequest: Encodable {
        var KeySpec: String
        var KeyUsage = "SIGN_VERIFY"
        var Description: String?
    }

    struct CreateKeyResponse: Decodable {
        struct Metadata: Decodable { var KeyId: String; var Arn: String? }
        var KeyMetadata: Metadata
    }

    struct CreateAliasRequest: Encodable {
        var AliasName: String
        var TargetKeyId: String
    }

    struct ScheduleKeyDeletionRequest: Encodable {
        var KeyId: String
        var PendingWindowInDays: Int
    }

    struct Empty: Decodable {}
}

/// Mappings between the ABI's algorithms and key types and KMS's names.
public enum KMSNames {
    /// The `SigningAlgorithm` for a signature algorithm and the digest length it expects.
    public static func signingAlgorithm(_ algorithm: SignatureAlgorithm) throws -> (name: String, digestLength: Int) {
        switch algorithm {
        case .ecdsaSHA256: return ("ECDSA_SHA_256", 32)
        case .ecdsaSHA384: return ("ECDSA_SHA_384", 48)
        case .ecdsaSHA512: return ("ECDSA_SHA_512", 64)
        case .rsaPKCS1SHA256: return ("RSASSA_PKCS1_V1_5_SHA_256", 32)
        case .rsaPKCS1SHA384: return ("RSASSA_PKCS1_V1_5_SHA_384", 48)
        case .rsaPKCS1SHA512: return ("RSASSA_PKCS1_V1_5_SHA_512", 64)
        case .rsaPSSSHA256: return ("RSASSA_PSS_SHA_256", 32)
        case .rsaPSSSHA384: return ("RSASSA_PSS_SHA_384", 48)
        case .rsaPSSSHA512: return ("RSASSA_PSS_SHA_512", 64)
        case .ed25519: throw PluginError.unsupported("AWS KMS: Ed25519 signatures are not supported by this plugin")
        }
    }

    /// The `KeySpec` for a key request (RSA without a size gets 3072 bits, as step-ca does).
    public static func keySpec(_ request: KeyRequest) throws -> String {
        switch request.type {
        case .ecP256: return "ECC_NIST_P256"
        case .ecP384: return "ECC_NIST_P384"
        case .ecP521: return "ECC_NIST_P521"
        case .rsa:
            switch request.bits {
            case 0, 3072: return "RSA_3072"
            case 2048: return "RSA_2048"
            case 4096: return "RSA_4096"
            default: throw PluginError.invalidArgument("AWS KMS: RSA keys have 2048, 3072 or 4096 bits, not \(request.bits)")
            }
        case .ed25519: throw PluginError.unsupported("AWS KMS: Ed25519 keys are not supported by this plugin")
        }
    }

    /// The alias step-ca gives a created key: `alias/<name>-<first segment of the key id>`, or nil
    /// for an unnamed key.
    public static func alias(name: String, keyID: String) -> String? {
        var base = name.hasPrefix("alias/") ? String(name.dropFirst("alias/".count)) : name
        base = String(base.map { $0.isLetter || $0.isNumber || "/_-".contains($0) ? $0 : "-" })
        guard !base.isEmpty else { return nil }
        let segment = keyID.split(separator: "-").first.map(String.init) ?? keyID
        return "alias/\(base)-\(segment)"
    }
}
