import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
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
        let url = vault + "/keys/" + path + "?api-version=" + Self.apiVersion
        let tokens = self.tokens
        return transport.bearerJSON(
            on: transport.eventLoop, method, url: url, body: body, as: Response.self,
            token: { tokens.token(on: $0) }, invalidate: { tokens.invalidate($0) },
            errors: BearerJSONErrors(
                unencodable: { AzureKMSError.configuration("cannot encode \(operation): \($0)") },
                answer: { answer in
                    let detail = (try? JSONDecoder().decode(KeyVaultAPI.ErrorBody.self, from: answer.body))?.error
                    return AzureKMSError.service(operation: operation, target: target, httpStatus: answer.status,
                                                 code: detail?.code ?? Self.codeName(answer.status),
                                                 message: Self.firstSentence(detail?.message ?? ""))
                },
                undecodable: { AzureKMSError.integrity(operation: operation, target: target, detail: "cannot decode the answer: \($0)") },
                transport: { AzureKMSError.transportFailure($1, operation: operation, target: target, attempts: $0) },
                isUnauthorized: { error in
                    if case .service(_, _, 401, _, _) = error as? AzureKMSError { return true }
                    return false
                },
                isRetryable: { error in
                    switch error as? AzureKMSError {
                    case nil, .token, .transport("token", _, _, _): return false  // the token source retried already
                    case let failure?: return failure.isRetryable
                    }
                }))
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
