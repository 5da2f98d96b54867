import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Calls of the Cloud KMS REST v1 API with a bearer token from ``TokenSource``. Retries 429, 5xx
/// and transport failures with back-off; a 401 drops the token and retries once with a new one.
public final class CloudKMSClient: @unchecked Sendable {
    public let settings: GCPKMSSettings
    public let transport: CloudHTTPClient
    public let tokens: TokenSource

    public init(settings: GCPKMSSettings) throws {
        self.settings = settings
        do {
            transport = try CloudHTTPClient(trustRootFiles: settings.trustRootFiles)
        } catch let error as TrustRootError {
            throw GCPKMSError.configuration("cannot read the trust roots in \(error.file): \(error.detail)")
        }
        tokens = TokenSource(credentials: settings.credentials, transport: transport)
    }

    /// Releases the connections. Call once, off the client's event loops.
    public func shutdown() { transport.shutdown() }

    /// `method /v1/path[?query]` with a JSON body; `target` names the resource in errors.
    public func call<Request: Encodable, Response: Decodable>(
        _ operation: String, _ method: HTTPMethod, _ path: String, query: String = "", target: String,
        body: Request?, as: Response.Type
    ) -> EventLoopFuture<Response> {
        let eventLoop = transport.eventLoop
        var bytes: [UInt8]? = nil
        if let body {
            do {
                bytes = Array(try JSONEncoder().encode(body))
            } catch {
                return eventLoop.makeFailedFuture(GCPKMSError.configuration("cannot encode \(operation): \(error)"))
            }
        }
        let url = settings.endpoint + "/v1/" + path + (query.isEmpty ? "" : "?" + query)
        let usedToken = NIOLockedValueBox<String?>(nil)
        let rejected = NIOLockedValueBox(false)
        return transport.perform(
            on: eventLoop,
            makeRequest: { _ in
                self.tokens.token(on: eventLoop).flatMapThrowing { token in
                    usedToken.withLockedValue { $0 = token }
                    var headers = HTTPHeaders([("Authorization", "Bearer \(token)"), ("Accept", "application/json")])
                    if bytes != nil { headers.add(name: "Content-Type", value: "application/json") }
                    return try HTTPClient.Request(url: url, method: method, headers: headers,
                                                  body: bytes.map { .bytes($0) })
                }
            },
            check: { answer, _ in
                guard (200..<300).contains(answer.status) else {
                    let detail = (try? JSONDecoder().decode(CloudKMSAPI.ErrorBody.self, from: answer.body))?.error
                    throw GCPKMSError.service(operation: operation, target: target, httpStatus: answer.status,
                                              status: detail?.status ?? Self.statusName(answer.status),
                                              message: detail?.message ?? "")
                }
                do {
                    return try JSONDecoder().decode(Response.self, from: answer.body)
                } catch {
                    throw GCPKMSError.integrity(operation: operation, target: target,
                                                detail: "cannot decode the answer: \(error)")
                }
            },
            retryable: { error, _ in
                guard let failure = error as? GCPKMSError else { return false }
                if case .service(_, _, 401, _, _) = failure, !rejected.withLockedValue({ $0 }) {
                    rejected.withLockedValue { $0 = true }
                    if let token = usedToken.withLockedValue({ $0 }) { self.tokens.invalidate(token) }
                    return true
                }
                return failure.isRetryable
            },
            transportError: { attempts, underlying in
                GCPKMSError.transport(operation: operation, target: target, attempts: attempts, underlying: underlying)
            })
    }

    static func statusName(_ status: Int) -> String {
        switch status {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 409: return "ALREADY_EXISTS"
        case 429: return "RESOURCE_EXHAUSTED"
        case 503: return "UNAVAILABLE"
        default: return "HTTP_\(status)"
        }
    }
}
