import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// OAuth2 access tokens for the credentials: fetched on first use, cached, refreshed before they
/// expire (a quarter of their lifetime, at most a minute, before), one fetch at a time.
public final class TokenSource: @unchecked Sendable {
    public let credentials: GoogleCredentials
    private let transport: CloudHTTPClient
    private let cache = TokenCache()
    /// How many tokens were fetched (for tests and diagnostics).
    public var fetches: Int { cache.fetches }
    /// The clock; replaceable in tests.
    var now: () -> Int = { Int(Date().timeIntervalSince1970) }

    public init(credentials: GoogleCredentials, transport: CloudHTTPClient) {
        self.credentials = credentials
        self.transport = transport
    }

    /// A valid token: the cached one, the one being fetched, or a new one.
    public func token(on eventLoop: EventLoop) -> EventLoopFuture<String> {
        cache.token(on: eventLoop) { self.fetch(on: $0) }
    }

    /// Drops `rejected` from the cache (the API answered 401 to it).
    public func invalidate(_ rejected: String) { cache.invalidate(rejected) }

    /// The form body of the token request.
    func requestBody() throws -> String {
        switch credentials.kind {
        case .serviceAccount(let email, let keyID, let key):
            let assertion = try JWTAssertion.make(email: email, keyID: keyID, key: key,
                                                  audience: credentials.tokenURI, issuedAt: now())
            return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
        case .authorizedUser(let clientID, let clientSecret, let refreshToken):
            return "grant_type=refresh_token&client_id=\(Self.formEncode(clientID))"
                + "&client_secret=\(Self.formEncode(clientSecret))&refresh_token=\(Self.formEncode(refreshToken))"
        }
    }

    private struct Answer: Decodable {
        var access_token: String?
        var expires_in: Int?
        var error: String?
        var error_description: String?
    }

    private func fetch(on eventLoop: EventLoop) -> EventLoopFuture<String> {
        let url = credentials.tokenURI
        return transport.perform(
            on: eventLoop,
            makeRequest: { _ in
                do {
                    let body = try self.requestBody()
                    let headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"),
                                               ("Accept", "application/json")])
                    return eventLoop.makeSucceededFuture(
                        try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .string(body)))
                } catch {
                    return eventLoop.makeFailedFuture(GCPKMSError.configuration("cannot make the token request for \(url): \(error)"))
                }
            },
            check: { answer, _ in
                let decoded = try? JSONDecoder().decode(Answer.self, from: answer.body)
                guard answer.status == 200, let token = decoded?.access_token, !token.isEmpty else {
                    throw GCPKMSError.token(url: url, httpStatus: answer.status, error: decoded?.error ?? "invalid_response",
                                            description: decoded?.error_description ?? "")
                }
                self.cache.store(token, lifetime: Int64(max(decoded?.expires_in ?? 3600, 1)), maxMargin: 60)
                return token
            },
            retryable: { error, _ in (error as? GCPKMSError)?.isRetryable ?? false },
            transportError: { attempts, underlying in
                GCPKMSError.transport(operation: "token", target: url, attempts: attempts, underlying: underlying)
            })
    }

    static func formEncode(_ value: String) -> String { PercentEncoding.encodeUnreserved(value) }
}
