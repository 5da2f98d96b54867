import AsyncHTTPClient
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The errors of a cloud API's JSON call with a bearer token, in the service's own terms, and
/// which of them are retried.
public struct BearerJSONErrors {
    /// A request body that does not encode (the encoding error).
    public var unencodable: (Error) -> Error
    /// The error of a non-2xx answer (the service's error body decoded, if it has one).
    public var answer: (HTTPAnswer) -> Error
    /// A 2xx answer whose body does not decode (the decoding error).
    public var undecodable: (Error) -> Error
    /// A request without an answer (attempt number, the failure).
    public var transport: (Int, Error) -> Error
    /// Whether an error is a 401 answer: the token is dropped and the call retried once.
    public var isUnauthorized: (Error) -> Bool
    /// Whether any other error is retried (429, 5xx, transport).
    public var isRetryable: (Error) -> Bool

    public init(unencodable: @escaping (Error) -> Error, answer: @escaping (HTTPAnswer) -> Error,
                undecodable: @escaping (Error) -> Error, transport: @escaping (Int, Error) -> Error,
                isUnauthorized: @escaping (Error) -> Bool, isRetryable: @escaping (Error) -> Bool) {
        self.unencodable = unencodable
        self.answer = answer
        self.undecodable = undecodable
        self.transport = transport
        self.isUnauthorized = isUnauthorized
        self.isRetryable = isRetryable
    }
}

extension CloudHTTPClient {
    /// `method url` with `body` as JSON (none when nil) and `Authorization: Bearer` from `token`;
    /// the 2xx answer decoded as `Response`. Retried per ``RetryPolicy``; a 401 hands the token it
    /// answered to `invalidate` and retries once with a new one.
    public func bearerJSON<Request: Encodable, Response: Decodable>(
        on eventLoop: EventLoop, _ method: HTTPMethod, url: String, body: Request?, as: Response.Type,
        token: @escaping (EventLoop) -> EventLoopFuture<String>, invalidate: @escaping (String) -> Void,
        errors: BearerJSONErrors
    ) -> EventLoopFuture<Response> {
        var bytes: [UInt8]? = nil
        if let body {
            do {
                bytes = Array(try JSONEncoder().encode(body))
            } catch {
                return eventLoop.makeFailedFuture(errors.unencodable(error))
            }
        }
        let usedToken = NIOLockedValueBox<String?>(nil)
        let rejected = NIOLockedValueBox(false)
        return perform(
            on: eventLoop,
            makeRequest: { [bytes] _ in
                token(eventLoop).flatMapThrowing { token in
                    usedToken.withLockedValue { $0 = token }
                    var headers = HTTPHeaders([("Authorization", "Bearer \(token)"), ("Accept", "application/json")])
                    if bytes != nil { headers.add(name: "Content-Type", value: "application/json") }
                    return try HTTPClient.Request(url: url, method: method, headers: headers, body: bytes.map { .bytes($0) })
                }
            },
            check: { answer, _ in
                guard answer.isSuccess else { throw errors.answer(answer) }
                do {
                    return try JSONDecoder().decode(Response.self, from: answer.body)
                } catch {
                    throw errors.undecodable(error)
                }
            },
            retryable: { error, _ in
                if errors.isUnauthorized(error), !rejected.withLockedValue({ $0 }) {
                    rejected.withLockedValue { $0 = true }
                    if let token = usedToken.withLockedValue({ $0 }) { invalidate(token) }
                    return true
                }
                return errors.isRetryable(error)
            },
            transportFailure: errors.transport)
    }
}
