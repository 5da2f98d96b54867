import FoundationEssentials
import _CryptoExtras

/// The RS256 JWT a service account presents to its token endpoint (RFC 7523 JWT-bearer grant).
public enum JWTAssertion {
    /// The OAuth2 scope of Cloud KMS.
    public static let scope = "https://www.googleapis.com/auth/cloud-platform"

    /// Header and claims as the JWT carries them (sorted keys, no whitespace).
    public static func parts(email: String, keyID: String?, audience: String, issuedAt: Int) -> (header: String, claims: String) {
        var header = ["alg": "RS256", "typ": "JWT"]
        if let keyID, !keyID.isEmpty { header["kid"] = keyID }
        let claims: [String: JSONValue] = [
            "iss": .string(email), "scope": .string(scope), "aud": .string(audience),
            "iat": .int(issuedAt), "exp": .int(issuedAt + 3600),
        ]
        return (encode(header.mapValues(JSONValue.string)), encode(claims))
    }

    /// The signed assertion `base64url(header).base64url(claims).base64url(RS256 signature)`.
    public static func make(email: String, keyID: String?, key: _RSA.Signing.PrivateKey, audience: String,
                            issuedAt: Int) throws -> String {
        let (header, claims) = parts(email: email, keyID: keyID, audience: audience, issuedAt: issuedAt)
        let input = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(Array(signature.rawRepresentation))
    }

    /// Base64url without padding.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var text = ""
        for character in Data(bytes).base64EncodedString() {
            switch character {
            case "+": text.append("-")
            case "/": text.append("_")
            case "=": continue
            default: text.append(character)
            }
        }
        return text
    }

    enum JSONValue: Encodable {
        case string(String), int(Int)
        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            }
        }
    }

    static func encode(_ object: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
