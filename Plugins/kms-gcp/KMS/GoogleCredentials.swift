import FoundationEssentials
import _CryptoExtras

/// Google credentials from a JSON file: a service account (key pair, JWT-bearer grant) or an
/// authorized user (`gcloud auth application-default login`: refresh-token grant).
public struct GoogleCredentials: @unchecked Sendable {
    /// Google's token endpoint, used when the file names none.
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    public enum Kind: @unchecked Sendable {
        case serviceAccount(email: String, keyID: String?, key: _RSA.Signing.PrivateKey)
        case authorizedUser(clientID: String, clientSecret: String, refreshToken: String)
    }

    public var kind: Kind
    public var tokenURI: String
    public var projectID: String?

    /// The account for log lines (an e-mail address or "authorized user"); never a secret.
    public var account: String {
        switch kind {
        case .serviceAccount(let email, _, _): return "service account \(email)"
        case .authorizedUser: return "authorized user"
        }
    }

    private struct File: Decodable {
        var type: String?
        var project_id: String?
        var private_key_id: String?
        var private_key: String?
        var client_email: String?
        var token_uri: String?
        var client_id: String?
        var client_secret: String?
        var refresh_token: String?
    }

    /// Parses the file; `path` only names it in errors.
    public init(json: [UInt8], path: String) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(json))
        } catch {
            throw GCPKMSError.configuration("the credentials file \(path) is not valid JSON")
        }
        tokenURI = file.token_uri.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultTokenURI
        projectID = file.project_id
        switch file.type {
        case "service_account":
            guard let email = file.client_email, !email.isEmpty, let pem = file.private_key, !pem.isEmpty else {
                throw GCPKMSError.configuration("the service account in \(path) lacks client_email or private_key")
            }
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
            } catch {
                throw GCPKMSError.configuration("the private_key of the service account in \(path) is not an RSA key in PEM")
            }
            kind = .serviceAccount(email: email, keyID: file.private_key_id, key: key)
        case "authorized_user":
            guard let id = file.client_id, let secret = file.client_secret, let refresh = file.refresh_token else {
                throw GCPKMSError.configuration("the authorized user in \(path) lacks client_id, client_secret or refresh_token")
            }
            kind = .authorizedUser(clientID: id, clientSecret: secret, refreshToken: refresh)
        default:
            throw GCPKMSError.configuration("the credentials file \(path) has type \"\(file.type ?? "")\"; supported: service_account, authorized_user")
        }
    }
}
