import Foundation

/// SCEP provisioner settings.
public struct SCEPProvisioner: Sendable, Equatable {
    /// Whether an empty CN is set to the first DNS name.
    public var forceCN: Bool
    /// Static challenge password; `nil` or empty accepts only an empty challenge.
    public var challenge: String?
    /// Capabilities announced by GetCACaps.
    public var capabilities: [String]
    /// Whether GetCACert includes the root.
    public var includeRoot: Bool
    /// Whether GetCACert leaves out the intermediate.
    public var excludeIntermediate: Bool
    /// Minimum RSA key size in bits; `nil` means 2048.
    public var minimumPublicKeyLength: Int?
    /// PEM certificate of the decrypter (base64 in ca.json).
    public var decrypterCertificatePEM: Data?
    /// PEM private key of the decrypter (base64 in ca.json).
    public var decrypterKeyPEM: Data?
    /// Decrypter key as a key-manager URI (`decrypterKey`).
    public var decrypterKeyURI: String?
    /// Password for the decrypter key.
    public var decrypterKeyPassword: String?
    /// Content encryption algorithm for responses: 0 DES-CBC (default) ... 4.
    public var encryptionAlgorithmIdentifier: Int?

    /// The minimum key size used when none is given.
    public static let defaultMinimumPublicKeyLength = 2048

    /// Makes SCEP settings.
    public init(forceCN: Bool = false, challenge: String? = nil, capabilities: [String] = [],
                includeRoot: Bool = false, excludeIntermediate: Bool = false, minimumPublicKeyLength: Int? = nil,
                decrypterCertificatePEM: Data? = nil, decrypterKeyPEM: Data? = nil, decrypterKeyURI: String? = nil,
                decrypterKeyPassword: String? = nil, encryptionAlgorithmIdentifier: Int? = nil) {
        self.forceCN = forceCN
        self.challenge = challenge
        self.capabilities = capabilities
        self.includeRoot = includeRoot
        self.excludeIntermediate = excludeIntermediate
        self.minimumPublicKeyLength = minimumPublicKeyLength
        self.decrypterCertificatePEM = decrypterCertificatePEM
        self.decrypterKeyPEM = decrypterKeyPEM
        self.decrypterKeyURI = decrypterKeyURI
        self.decrypterKeyPassword = decrypterKeyPassword
        self.encryptionAlgorithmIdentifier = encryptionAlgorithmIdentifier
    }

    /// The minimum key size in effect.
    public var effectiveMinimumPublicKeyLength: Int {
        guard let minimumPublicKeyLength, minimumPublicKeyLength > 0 else {
            return SCEPProvisioner.defaultMinimumPublicKeyLength
        }
        return minimumPublicKeyLength
    }
}
