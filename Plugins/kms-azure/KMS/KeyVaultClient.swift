import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Calls of the Key Vault keys API (api-version 7.4) with a bearer token from ``TokenSource``.
/// Retries 429, 5xx and transport failures with back-off (honouring Retry-After); a 401 drops the
/// token and retries once with a new one.
public final class KeyVaultClient: @unchecked Sendable {
    /// The API version sent with every call.
    public static let apiVersion = "7.4"

    public let settings: AzureKMSSettings
    public let transport: CloudHTTPClient
    public let tokens: TokenSource

    public init(settings: AzureKMSSettings) throws {
        self.settings = settings
        do {
            transport = try CloudHTTPClient(trustRootFiles: settings.trustRootFiles, connectTimeout: .seconds(5))
        } catch let error as TrustRootError {
            throw AzureKMSError.configuration("cannot read the trust roots in \(error.file): \(error.detail)")
        }
        transport.policy.maxRetryAfter = .seconds(30)
        tokens = TokenSource(settings: settings, transport: transport)
    }

    /// Starts releasing the connections; does not wait.
    public func shutdown() { transport.shutdown() }

    /// `method <vault>/keys/<path>?api-version=7.4` with a JSON body; `target` names the key in errors.
    public func call<Request: Encodable, Response: Decodable>(
        _ operation: String, _ method: HTTPMethod, vault: String, path: String, target: String,
        body: Request?, as: Response.Type
    ) -> EventLoopFuture<Response> {
        let eventLoop = transport.eventLoop
        var bytes: [UInt8]? = nil
        if let body {
            do {
                bytes = Array(try JSONEncoder().encode(body))
            } catch {
                return eventLoop.makeFailedFuture(AzureKMSError.configuration("cannot encode \(operation): \(error)"))
            }
        }
        let url = vault + "/keys/" + path + "?api-version=" + Self.apiVersion
        let usedToken = NIOLockedValueBox<String?>(nil)
        let rejected = NIOLockedValueBox(false)
        return transport.perform(
            on: eventLoop,
            makeRequest: { _ in
                self.tokens.token(on: eventLoop).flatMapThrowing { token in
                    usedToken.withLockedValue { $0 = token }
                    var headers = HTTPHeaders([("Authorization", "Bearer \(token)"), ("Accept", "application/json")])
                    if bytes != nil { headers.add(name: "Content-Type", value: "application/json") }
                    return try HTTPClient.Request(url: url, method: method, headers: headers, body: bytes.map { .bytes($0) })
                }
            },
            check: { answer, _ in
                guard answer.isSuccess else {
                    let detail = (try? JSONDecoder().decode(KeyVaultAPI.ErrorBody.self, from: answer.body))?.error
                    throw AzureKMSError.service(operation: operation, target: target, httpStatus: answer.status,
                                                code: detail?.code ?? Self.codeName(answer.status),
                                                message: Self.firstSentence(detail?.message ?? ""))
                }
                do {
                    return try JSONDecoder().decode(Response.self, from: answer.body)
                } catch {
                    throw AzureKMSError.integrity(operation: operation, target: target,
                                                  detail: "cannot decode the answer: \(error)")
                }
            },
            retryable: { error, _ in
                guard let failure = error as? AzureKMSError else { return false }
                switch failure {
                case .token, .transport("token", _, _, _): return false  // the token source retried already
                default: break
                }
                if case .service(_, _, 401, _, _) = failure, !rejected.withLockedValue({ $0 }) {
                    rejected.withLockedValue { $0 = true }
                    if let token = usedToken.withLockedValue({ $0 }) { self.tokens.invalidate(token) }
                    return true
                }
                return failure.isRetryable
            },
            transportFailure: { attempts, error in
                AzureKMSError.transportFailure(error, operation: operation, target: target, attempts: attempts)
            })
    }

    /// Key Vault's messages go on with recovery hints and links; the first sentence says it.
    static func firstSentence(_ message: String) -> String {
        guard let end = message.range(of: ". ") else { return message }
        return String(message[..<end.lowerBound]) + "."
    }

    static func codeName(_ status: Int) -> String {
        switch status {
        case 400: return "BadParameter"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 429: return "Throttled"
        case 503: return "ServiceUnavailable"
        default: return "HTTP_\(status)"
        }
    }
}
