import FoundationEssentials

/// JSON bodies of Cloud KMS REST v1 (proto3 JSON mapping: lowerCamelCase, bytes as standard base64,
/// int64 as decimal strings).
public enum CloudKMSAPI {
    public struct Empty: Codable, Sendable { public init() {} }

    public struct KeyRing: Codable, Sendable {
        public var name: String?
        public var createTime: String?
    }

    public struct VersionTemplate: Codable, Sendable {
        public var algorithm: String
        public var protectionLevel: String?
    }

    public struct CryptoKey: Codable, Sendable {
        public var name: String?
        public var purpose: String
        public var versionTemplate: VersionTemplate?
    }

    public struct CryptoKeyVersion: Codable, Sendable {
        public var name: String
        public var state: String?
        public var algorithm: String?
        public var protectionLevel: String?
    }

    public struct PublicKey: Codable, Sendable {
        public var pem: String
        public var algorithm: String?
        public var pemCrc32c: String?
        public var name: String?
    }

    public struct Digest: Codable, Sendable {
        public var sha256: String?
        public var sha384: String?
        public var sha512: String?
    }

    public struct AsymmetricSignRequest: Codable, Sendable {
        public var digest: Digest
        public var digestCrc32c: String
    }

    public struct AsymmetricSignResponse: Codable, Sendable {
        public var signature: String?
        public var signatureCrc32c: String?
        public var verifiedDigestCrc32c: Bool?
        public var name: String?
    }

    /// `{"error": {"code", "message", "status"}}`.
    public struct ErrorBody: Decodable, Sendable {
        public struct Detail: Decodable, Sendable {
            public var code: Int?
            public var message: String?
            public var status: String?
        }
        public var error: Detail?
    }
}
