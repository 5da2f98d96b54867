/// Signature algorithms of the ABI (`STEPCA_SIG_*`).
public enum SignatureAlgorithm: UInt32, Sendable, CaseIterable {
    case ecdsaSHA256 = 1, ecdsaSHA384 = 2, ecdsaSHA512 = 3
    case rsaPKCS1SHA256 = 4, rsaPKCS1SHA384 = 5, rsaPKCS1SHA512 = 6
    case rsaPSSSHA256 = 7, rsaPSSSHA384 = 8, rsaPSSSHA512 = 9
    case ed25519 = 10
}

/// Key types of the ABI (`STEPCA_KEY_*`).
public enum KeyType: UInt32, Sendable, CaseIterable {
    case ecP256 = 1, ecP384 = 2, ecP521 = 3, rsa = 4, ed25519 = 5
}

/// Decryption algorithms of the ABI (`STEPCA_DEC_*`).
public enum DecryptionAlgorithm: UInt32, Sendable, CaseIterable {
    case rsaPKCS1 = 1, rsaOAEPSHA1 = 2, rsaOAEPSHA256 = 3
}

/// A request to create a key in the backend.
public struct KeyRequest: Sendable {
    public var name: String
    public var type: KeyType
    /// RSA modulus bits; 0 means the backend's default.
    public var bits: Int
    /// Ask for hardware protection where the backend offers a choice.
    public var hardware: Bool
    public var signatureAlgorithm: SignatureAlgorithm?

    public init(name: String, type: KeyType, bits: Int = 0, hardware: Bool = false,
                signatureAlgorithm: SignatureAlgorithm? = nil) {
        self.name = name
        self.type = type
        self.bits = bits
        self.hardware = hardware
        self.signatureAlgorithm = signatureAlgorithm
    }
}

/// A created key: the name to write into ca.json and its DER SubjectPublicKeyInfo.
public struct CreatedKey: Sendable {
    public var name: String
    public var publicKeyDER: [UInt8]
    public init(name: String, publicKeyDER: [UInt8]) {
        self.name = name
        self.publicKeyDER = publicKeyDER
    }
}

/// A key-management backend (HSM, smart card, cloud KMS).
///
/// Implement the required methods and export the type with ``exportKeyManagementPlugin(_:info:_:_:_:_:)``.
/// Optional capabilities have default implementations that report `.unsupported`.
public protocol KeyManagementBackend: AnyObject {
    /// Opens a session from the ca.json `kms` object, given as JSON text.
    static func open(configJSON: String, host: PluginHost) throws -> Self

    /// The DER SubjectPublicKeyInfo of a key.
    func publicKey(name: String) throws -> [UInt8]
    /// Signs a digest (the message, for Ed25519); ECDSA signatures are DER.
    func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8]

    func createKey(_ request: KeyRequest) throws -> CreatedKey
    func deleteKey(name: String) throws
    func loadCertificate(name: String) throws -> [UInt8]
    func storeCertificate(name: String, der: [UInt8]) throws
    func decrypt(key: String, algorithm: DecryptionAlgorithm, ciphertext: [UInt8]) throws -> [UInt8]
    /// Attestation material as JSON: `{"certificates":[<base64 DER>...],"format":"..."}`.
    func attest(key: String) throws -> [UInt8]

    /// Starts a signature without blocking; `completion` runs exactly once on any thread.
    /// The default runs ``sign(key:algorithm:digest:)`` on the calling thread.
    func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8],
                   completion: @escaping @Sendable (Result<[UInt8], PluginError>) -> Void)

    func close()
}

extension KeyManagementBackend {
    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        throw PluginError.unsupported("this key manager cannot create keys")
    }
    public func deleteKey(name: String) throws {
        throw PluginError.unsupported("this key manager cannot delete keys")
    }
    public func loadCertificate(name: String) throws -> [UInt8] {
        throw PluginError.unsupported("this key manager does not store certificates")
    }
    public func storeCertificate(name: String, der: [UInt8]) throws {
        throw PluginError.unsupported("this key manager does not store certificates")
    }
    public func decrypt(key: String, algorithm: DecryptionAlgorithm, ciphertext: [UInt8]) throws -> [UInt8] {
        throw PluginError.unsupported("this key manager cannot decrypt")
    }
    public func attest(key: String) throws -> [UInt8] {
        throw PluginError.unsupported("this key manager has no attestation")
    }
    public func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8],
                          completion: @escaping @Sendable (Result<[UInt8], PluginError>) -> Void) {
        do {
            completion(.success(try sign(key: key, algorithm: algorithm, digest: digest)))
        } catch let error as PluginError {
            completion(.failure(error))
        } catch {
            completion(.failure(.internal(String(describing: error))))
        }
    }
}
