import CloudKMSKit
import PluginKit

/// Errors of the Azure Key Vault plugin, each converted to a ``PluginError`` with its code.
/// No message ever carries a client secret or an access token.
public enum AzureKMSError: PluginErrorConvertible, Sendable {
    /// A malformed `azurekms:` URI or key name: the text and the reason.
    case invalidName(String, String)
    /// Missing or unusable configuration (credentials, endpoint, CA file).
    case configuration(String)
    /// An error answer of Key Vault: HTTP status, Key Vault's error code (`KeyNotFound`) and message.
    case service(operation: String, target: String, httpStatus: Int, code: String, message: String)
    /// An error answer of the token endpoint (AAD or the managed-identity endpoint).
    case token(url: String, httpStatus: Int, error: String, description: String)
    /// No answer (connection, time-out) after all attempts.
    case transport(operation: String, target: String, attempts: Int, underlying: String)
    /// The TLS handshake failed (an untrusted or wrong certificate): not retried.
    case tls(operation: String, target: String, underlying: String)
    /// An answer that lacks a field or does not fit the request.
    case integrity(operation: String, target: String, detail: String)

    /// The ABI error with a message naming the operation and the key.
    public var pluginError: PluginError {
        switch self {
        case .invalidName(let text, let reason):
            return .invalidArgument("invalid Azure Key Vault name \"\(text)\": \(reason)")
        case .configuration(let message):
            return .invalidArgument("azurekms: \(message)")
        case .service(let operation, let target, let httpStatus, let code, let message):
            return PluginError(Self.code(httpStatus: httpStatus, code: code),
                               "Azure Key Vault \(operation) on \(target) failed: HTTP \(httpStatus) \(code)\(message.isEmpty ? "" : ": \(message)")")
        case .token(let url, let httpStatus, let error, let description):
            return PluginError(httpStatus == 429 || httpStatus >= 500 ? .unavailable : .auth,
                               "Azure Key Vault: the token endpoint \(url) refused the credentials: HTTP \(httpStatus) \(error)\(description.isEmpty ? "" : ": \(description)")")
        case .transport(let operation, let target, let attempts, let underlying):
            return .unavailable("Azure Key Vault \(operation) on \(target) failed after \(attempts) attempt(s): \(underlying)")
        case .tls(let operation, let target, let underlying):
            return .unavailable("Azure Key Vault \(operation) on \(target) failed: TLS handshake: \(underlying) (is the server's CA in ca-file= or SSL_CERT_FILE?)")
        case .integrity(let operation, let target, let detail):
            return .internal("Azure Key Vault \(operation) on \(target): \(detail)")
        }
    }

    /// Whether a failure may succeed when retried (429, 5xx, transport).
    public var isRetryable: Bool {
        switch self {
        case .transport: return true
        case .service(_, _, let httpStatus, _, _): return httpStatus == 429 || httpStatus >= 500
        case .token(_, let httpStatus, _, _): return httpStatus == 429 || httpStatus >= 500
        default: return false
        }
    }

    /// A request that got no answer: ``tls(operation:target:underlying:)`` when the TLS
    /// handshake failed, ``transport(operation:target:attempts:underlying:)`` otherwise.
    static func transportFailure(_ error: Error, operation: String, target: String, attempts: Int) -> AzureKMSError {
        let text = String(describing: error)
        return CloudHTTPClient.isTLSFailure(error) ? .tls(operation: operation, target: target, underlying: text)
            : .transport(operation: operation, target: target, attempts: attempts, underlying: text)
    }

    /// The HTTP status of a service or token error.
    public var httpStatus: Int? {
        switch self {
        case .service(_, _, let status, _, _), .token(_, let status, _, _): return status
        default: return nil
        }
    }

    static func code(httpStatus: Int, code: String) -> PluginError.Code {
        switch code {
        case "KeyNotFound", "NotFound": return .notFound
        case "Unauthorized", "Forbidden", "AccessDenied": return .auth
        case "Conflict": return .conflict
        case "BadParameter", "BadRequest": return .invalidArgument
        case "Throttled", "ServiceUnavailable": return .unavailable
        default: break
        }
        return PluginError.Code(httpStatus: httpStatus)
    }
}
