/// JSON bodies of the Key Vault keys API (7.4); binary fields are base64url without padding.
public enum KeyVaultAPI {
    /// A JSON web key as Key Vault returns it.
    public struct JSONWebKey: Codable, Sendable {
        public var kid: String?
        public var kty: String?
        public var key_ops: [String]?
        public var crv: String?
        public var x: String?
        public var y: String?
        public var n: String?
        public var e: String?
    }

    public struct KeyAttributes: Codable, Sendable {
        public var enabled: Bool?
        public var created: Int?
        public var updated: Int?
        public var recoveryLevel: String?
    }

    /// `GET /keys/{name}/{version}` and `POST /keys/{name}/create`.
    public struct KeyBundle: Codable, Sendable {
        public var key: JSONWebKey?
        public var attributes: KeyAttributes?
    }

    /// `POST /keys/{name}/create`.
    public struct CreateKeyRequest: Codable, Sendable {
        public var kty: String
        public var crv: String?
        public var key_size: Int?
        public var key_ops: [String]
        public var attributes: KeyAttributes
    }

    /// `POST /keys/{name}/{version}/sign`.
    public struct SignRequest: Codable, Sendable {
        public var alg: String
        public var value: String
    }

    public struct SignResponse: Codable, Sendable {
        public var kid: String?
        public var value: String?
    }

    /// `{"error": {"code", "message"}}`.
    public struct ErrorBody: Decodable, Sendable {
        public struct Detail: Decodable, Sendable {
            public var code: String?
            public var message: String?
        }
        public var error: Detail?
    }
}
