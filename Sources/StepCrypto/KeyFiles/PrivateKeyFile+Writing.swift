import Foundation

extension PrivateKeyFile {
    /// The iteration count of ``encryptedPKCS8PEM(_:password:iterations:)`` by default, as step uses.
    public static let defaultPBKDF2Iterations = 600_000

    /// Unencrypted PKCS #8 (`PRIVATE KEY`), as Go's `x509.MarshalPKCS8PrivateKey` encodes it.
    public static func pkcs8PEM(_ key: PrivateKeyMaterial) -> String {
        PEMBlock(type: "PRIVATE KEY", bytes: Data(PKCS8.serialize(key))).encoded
    }

    /// The unencrypted "traditional" encoding: `EC PRIVATE KEY` (SEC 1, with the curve) for ECDSA,
    /// `RSA PRIVATE KEY` (PKCS #1) for RSA, and PKCS #8 `PRIVATE KEY` for Ed25519, which has no other.
    public static func traditionalPEM(_ key: PrivateKeyMaterial) -> String {
        switch key {
        case .p256, .p384, .p521:
            guard let der = key.sec1DER(includeCurve: true) else { preconditionFailure("ECDSA keys have a SEC 1 encoding") }
            return PEMBlock(type: "EC PRIVATE KEY", bytes: Data(der)).encoded
        case .rsa(let rsa):
            return PEMBlock(type: "RSA PRIVATE KEY", bytes: rsa.derRepresentation).encoded
        case .ed25519:
            return Self.pkcs8PEM(key)
        }
    }

    /// Legacy encrypted PEM, as `step ca init` writes ECDSA and RSA keys: `EC PRIVATE KEY` or
    /// `RSA PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED` and `DEK-Info: AES-256-CBC,<hex IV>`.
    ///
    /// - Throws: ``StepCryptoError/Code/unsupportedAlgorithm`` for Ed25519, which has no legacy
    ///   encoding; use ``encryptedPKCS8PEM(_:password:iterations:)``.
    public static func legacyEncryptedPEM(_ key: PrivateKeyMaterial, password: Data) throws -> String {
        let type: String
        let der: [UInt8]
        switch key {
        case .p256, .p384, .p521:
            guard let sec1 = key.sec1DER(includeCurve: true) else { preconditionFailure("ECDSA keys have a SEC 1 encoding") }
            type = "EC PRIVATE KEY"
            der = sec1
        case .rsa(let rsa):
            type = "RSA PRIVATE KEY"
            der = Array(rsa.derRepresentation)
        case .ed25519:
            throw StepCryptoError.unsupported("legacy PEM encryption of an Ed25519 key (use encrypted PKCS #8)")
        }
        return try LegacyPEMEncryption.encrypt(type: type, der: der, password: password).encoded
    }

    /// Encrypted PKCS #8 (`ENCRYPTED PRIVATE KEY`): PBES2 with PBKDF2-HMAC-SHA256, a 16-byte salt
    /// and AES-256-CBC, as step writes Ed25519 keys. Works for every key kind.
    ///
    /// - Throws: ``StepCryptoError/Code/parameterOutOfRange`` if `iterations` is outside 1...10,000,000.
    public static func encryptedPKCS8PEM(
        _ key: PrivateKeyMaterial,
        password: Data,
        iterations: Int = PrivateKeyFile.defaultPBKDF2Iterations
    ) throws -> String {
        let der = try PBES2.encrypt(PKCS8.serialize(key), password: password, iterations: iterations)
        return PEMBlock(type: "ENCRYPTED PRIVATE KEY", bytes: Data(der)).encoded
    }

    /// What `step ca init` writes for a key protected by `password`: legacy encrypted PEM
    /// (AES-256-CBC) for ECDSA and RSA keys, encrypted PKCS #8 for Ed25519 keys.
    public static func stepEncryptedPEM(_ key: PrivateKeyMaterial, password: Data) throws -> String {
        switch key {
        case .ed25519: return try Self.encryptedPKCS8PEM(key, password: password)
        case .p256, .p384, .p521, .rsa: return try Self.legacyEncryptedPEM(key, password: password)
        }
    }
}
