/// Signature algorithms of the KMS ABI (`STEPCA_SIG_*`). ECDSA and RSA sign a digest the host
/// computed; Ed25519 signs the message.
enum KMSSignatureAlgorithm: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case ecdsaSHA256 = 1, ecdsaSHA384 = 2, ecdsaSHA512 = 3
    case rsaPKCS1SHA256 = 4, rsaPKCS1SHA384 = 5, rsaPKCS1SHA512 = 6
    case rsaPSSSHA256 = 7, rsaPSSSHA384 = 8, rsaPSSSHA512 = 9
    case ed25519 = 10

    /// The digest length the algorithm signs (nil for Ed25519, which signs the message).
    var digestLength: Int? {
        switch self {
        case .ecdsaSHA256, .rsaPKCS1SHA256, .rsaPSSSHA256: return 32
        case .ecdsaSHA384, .rsaPKCS1SHA384, .rsaPSSSHA384: return 48
        case .ecdsaSHA512, .rsaPKCS1SHA512, .rsaPSSSHA512: return 64
        case .ed25519: return nil
        }
    }

    var isECDSA: Bool { self == .ecdsaSHA256 || self == .ecdsaSHA384 || self == .ecdsaSHA512 }
    var isRSA: Bool { rawValue >= 4 && rawValue <= 9 }

    var description: String {
        switch self {
        case .ecdsaSHA256: return "ECDSA-SHA256"
        case .ecdsaSHA384: return "ECDSA-SHA384"
        case .ecdsaSHA512: return "ECDSA-SHA512"
        case .rsaPKCS1SHA256: return "SHA256-RSA"
        case .rsaPKCS1SHA384: return "SHA384-RSA"
        case .rsaPKCS1SHA512: return "SHA512-RSA"
        case .rsaPSSSHA256: return "SHA256-RSAPSS"
        case .rsaPSSSHA384: return "SHA384-RSAPSS"
        case .rsaPSSSHA512: return "SHA512-RSAPSS"
        case .ed25519: return "Ed25519"
        }
    }
}

/// Key types of the KMS ABI (`STEPCA_KEY_*`).
enum KMSKeyType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case ecP256 = 1, ecP384 = 2, ecP521 = 3, rsa = 4, ed25519 = 5

    var description: String {
        switch self {
        case .ecP256: return "EC P-256"
        case .ecP384: return "EC P-384"
        case .ecP521: return "EC P-521"
        case .rsa: return "RSA"
        case .ed25519: return "Ed25519"
        }
    }
}

/// What to create: a key type, the RSA size, and the name the plugin should give the key.
struct KMSKeyRequest: Sendable {
    var name: String
    var type: KMSKeyType
    /// RSA modulus bits (0 = the plugin's default).
    var bits: Int = 0
    /// Ask for hardware protection where the backend offers a choice.
    var hardware: Bool = false
    /// The algorithm the key will sign with, when known.
    var signatureAlgorithm: KMSSignatureAlgorithm? = nil
}

/// A key the plugin created: the name to write into ca.json and its DER SubjectPublicKeyInfo.
struct KMSCreatedKey: Sendable, Equatable {
    let name: String
    let publicKeyDER: [UInt8]
}
