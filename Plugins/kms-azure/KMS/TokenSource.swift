import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Access tokens for the vault resource: from the AAD token endpoint (client credentials) or the
/// managed-identity endpoint (IMDS). Fetched on first use, cached, refreshed before they expire (a
/// quarter of their lifetime, at most five minutes, before), one fetch at a time. Tokens and
/// secrets never appear in errors or logs.
public final class TokenSource: @unchecked Sendable {
    public let settings: AzureKMSSettings
    private let transport: CloudHTTPClient
    private let cache = TokenCache()

    public init(settings: AzureKMSSettings, transport: CloudHTTPClient) {
        self.settings = settings
        self.transport = transport
    }

    /// How many tokens were fetched (for tests and diagnostics).
    public var fetches: Int { cache.fetches }

    /// The URL tokens come from (for messages; holds no secret).
    public var tokenURL: String {
        switch settings.credentials {
        case .clientSecret(let tenant, _, _): return "\(settings.authorityHost)/\(tenant)/oauth2/v2.0/token"
        case .managedIdentity: return "\(settings.imdsHost)/metadata/identity/oauth2/token"
        }
    }

    /// A valid token: the cached one, the one being fetched, or a new one.
    public func token(on eventLoop: EventLoop) -> EventLoopFuture<String> {
        cache.token(on: eventLoop) { self.fetch(on: $0) }
    }

    /// Drops `rejected` from the cache (the vault answered 401 to it).
    public func invalidate(_ rejected: String) { cache.invalidate(rejected) }

    /// The token request: method, URL, headers and body.
    func request() throws -> HTTPClient.Request {
        let resource = settings.cloud.vaultResource
        switch settings.credentials {
        case .clientSecret(_, let clientID, let secret):
            let body = "grant_type=client_credentials&client_id=\(Self.formEncode(clientID))"
                + "&client_secret=\(Self.formEncode(secret))&scope=\(Self.formEncode(resource + "/.default"))"
            let headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")])
            return try HTTPClient.Request(url: tokenURL, method: .POST, headers: headers, body: .string(body))
        case .managedIdentity(let clientID):
            var url = tokenURL + "?api-version=2018-02-01&resource=\(Self.formEncode(resource))"
            if let clientID { url += "&client_id=\(Self.formEncode(clientID))" }
            return try HTTPClient.Request(url: url, method: .GET, headers: HTTPHeaders([("Metadata", "true"), ("Accept", "application/json")]))
        }
    }

    /// A token answer; IMDS sends `expires_in` as a string, AAD as a number.
    struct Answer: Decodable {
        var access_token: String?
        var expires_in: Int?
        var error: String?
        var error_description: String?

        enum CodingKeys: String, CodingKey { case access_token, expires_in, error, error_description }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            access_token = try container.decodeIfPresent(String.self, forKey: .access_token)
            error = try container.decodeIfPresent(String.self, forKey: .error)
            error_description = try container.decodeIfPresent(String.self, forKey: .error_description)
            if let number = try? container.decodeIfPresent(Int.self, forKey: .expires_in) {
                expires_in = number
            } else if let text = try? container.decodeIfPresent(String.self, forKey: .expires_in) {
                expires_in = Int(text)
            }
        }
    }

    private func fetch(on eventLoop: EventLoop) -> EventLoopFuture<String> {
        let url = tokenURL
        return transport.perform(
            on: eventLoop,
            makeRequest: { _ in
                do {
                    return eventLoop.makeSucceededFuture(try self.request())
                } catch {
                    return eventLoop.makeFailedFuture(AzureKMSError.configuration("cannot make the token request for \(url): \(error)"))
                }
            },
            check: { answer, _ in
                let decoded = try? JSONDecoder().decode(Answer.self, from: answer.body)
                guard answer.status == 200, let token = decoded?.access_token, !token.isEmpty else {
                    throw AzureKMSError.token(url: url, httpStatus: answer.status, error: decoded?.error ?? "invalid_response",
                                              description: Self.firstLine(decoded?.error_description ?? ""))
                }
                self.cache.store(token, lifetime: Int64(decoded?.expires_in ?? 3600), maxMargin: 300)
                return token
            },
            retryable: { error, _ in (error as? AzureKMSError)?.isRetryable ?? false },
            transportFailure: { attempts, error in AzureKMSError.transportFailure(error, operation: "token", target: url, attempts: attempts) })
    }

    /// AAD descriptions carry trace and correlation ids on further lines; the first line says it.
    static func firstLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).first ?? "")
    }

    static func formEncode(_ value: String) -> String { PercentEncoding.encodeUnreserved(value) }
}
