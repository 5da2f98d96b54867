import Foundation

/// Reading private key files in the encodings step and OpenSSL write.
///
/// Accepted PEM blocks:
/// - `RSA PRIVATE KEY` (PKCS #1), `EC PRIVATE KEY` (SEC 1, optionally after an `EC PARAMETERS`
///   block) and `PRIVATE KEY` (PKCS #8) for ECDSA P-256/384/521, RSA (2048 bits or more) and Ed25519;
/// - the same blocks with legacy encryption headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info:` with
///   AES-128/192/256-CBC, DES-CBC or DES-EDE3-CBC);
/// - `ENCRYPTED PRIVATE KEY` (PKCS #8 with PBES2: PBKDF2 with HMAC-SHA1/224/256/384/512 or
///   scrypt, and AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC);
/// - `OPENSSH PRIVATE KEY` (`openssh-key-v1`; ECDSA, Ed25519, RSA; unencrypted, or bcrypt_pbkdf
///   with aes128/192/256-ctr, aes128/192/256-cbc or aes128/256-gcm@openssh.com).
///
/// Other blocks in the file (certificates, for example) are skipped. Every error is a
/// ``StepCryptoError``: `malformedInput`, `passwordRequired`, `wrongPassword`,
/// `unsupportedAlgorithm`, `parameterOutOfRange` or `inconsistentKey`.
public enum PrivateKeyFile {
    /// The private-key block types this reader understands.
    static let keyBlockTypes: Set<String> = [
        "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY",
    ]

    /// Private-key block types recognised only to name their algorithm in errors.
    static let unsupportedKeyBlockTypes: [String: String] = [
        "DSA PRIVATE KEY": "DSA",
        "SSH2 ENCRYPTED PRIVATE KEY": "ssh.com (SSH2)",
        "PGP PRIVATE KEY BLOCK": "OpenPGP",
    ]

    /// Reads the first private key in PEM text.
    ///
    /// - Parameters:
    ///   - pem: the file contents.
    ///   - password: the password, if any. It is ignored for unencrypted keys.
    public static func read(pem: String, password: Data?) throws -> PrivateKeyMaterial {
        let blocks = try PEMBlock.parseAll(pem)
        let block = try Self.keyBlock(in: blocks)
        var curve: ECCurve? = nil
        if let parameters = blocks.first(where: { $0.type == "EC PARAMETERS" }) {
            curve = try SEC1.parseParameters(Array(parameters.bytes))
        }
        return try Self.read(block: block, curve: curve, password: password)
    }

    /// Reads the first private key in PEM text given as bytes (UTF-8).
    public static func read(pem: Data, password: Data?) throws -> PrivateKeyMaterial {
        guard let text = String(data: pem, encoding: .utf8) else {
            throw StepCryptoError.malformed("not PEM: the data is not UTF-8 text")
        }
        return try Self.read(pem: text, password: password)
    }

    /// Whether reading the first private key in `pem` needs a password.
    public static func isEncrypted(pem: String) throws -> Bool {
        let block = try Self.keyBlock(in: try PEMBlock.parseAll(pem))
        switch block.type {
        case "ENCRYPTED PRIVATE KEY":
            return true
        case "OPENSSH PRIVATE KEY":
            return try OpenSSHPrivateKey.isEncrypted(block.bytes)
        default:
            return LegacyPEMEncryption.isEncrypted(block)
        }
    }

    private static func keyBlock(in blocks: [PEMBlock]) throws -> PEMBlock {
        if let block = blocks.first(where: { Self.keyBlockTypes.contains($0.type) }) {
            return block
        }
        if let block = blocks.first(where: { Self.unsupportedKeyBlockTypes[$0.type] != nil }),
            let algorithm = Self.unsupportedKeyBlockTypes[block.type]
        {
            throw StepCryptoError.unsupported("\(algorithm) private key (PEM block \(block.type))")
        }
        let types = blocks.map(\.type).joined(separator: ", ")
        throw StepCryptoError.malformed("no known private key PEM block found (found: \(types))")
    }

    private static func read(block: PEMBlock, curve: ECCurve?, password: Data?) throws -> PrivateKeyMaterial {
        switch block.type {
        case "ENCRYPTED PRIVATE KEY":
            guard let password else {
                throw StepCryptoError.passwordRequired("the ENCRYPTED PRIVATE KEY")
            }
            let der = try PBES2.decrypt(Array(block.bytes), password: password)
            return try Self.decodeDecrypted { try PKCS8.parsePrivateKey(der) }

        case "OPENSSH PRIVATE KEY":
            return try OpenSSHPrivateKey.parse(block.bytes, password: password)

        default:
            guard LegacyPEMEncryption.isEncrypted(block) else {
                return try Self.decodeDER(Array(block.bytes), type: block.type, curve: curve)
            }
            guard let password else {
                throw StepCryptoError.passwordRequired("the \(block.type)")
            }
            let der = try LegacyPEMEncryption.decrypt(block, password: password)
            return try Self.decodeDecrypted { try Self.decodeDER(der, type: block.type, curve: curve) }
        }
    }

    private static func decodeDER(_ der: [UInt8], type: String, curve: ECCurve?) throws -> PrivateKeyMaterial {
        switch type {
        case "RSA PRIVATE KEY": return try PKCS1.parsePrivateKey(der)
        case "EC PRIVATE KEY": return try SEC1.parsePrivateKey(der, outerCurve: curve)
        case "PRIVATE KEY": return try PKCS8.parsePrivateKey(der)
        default: throw StepCryptoError.malformed("unexpected PEM block type \(type)")
        }
    }

    /// Decrypted bytes that do not parse almost always mean the password was wrong
    /// and the padding check passed by chance.
    private static func decodeDecrypted(_ body: () throws -> PrivateKeyMaterial) throws -> PrivateKeyMaterial {
        do {
            return try body()
        } catch let error as StepCryptoError where error.code == .malformedInput {
            throw StepCryptoError.wrongPassword("the decrypted data is not a valid key")
        }
    }
}
