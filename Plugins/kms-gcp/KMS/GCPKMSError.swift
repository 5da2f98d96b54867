import CloudKMSKit
import PluginKit

/// Errors of the Cloud KMS plugin, each converted to a ``PluginError`` with its code.
public enum GCPKMSError: PluginErrorConvertible, Sendable {
    /// A malformed `cloudkms:` URI or resource name.
    case invalidName(String, String)
    /// Missing or unusable configuration (credentials file, endpoint, CA file).
    case configuration(String)
    /// An error answer of the API: HTTP status, Google's status (`NOT_FOUND`) and message.
    case service(operation: String, target: String, httpStatus: Int, status: String, message: String)
    /// An error answer of the OAuth2 token endpoint (`invalid_grant`).
    case token(url: String, httpStatus: Int, error: String, description: String)
    /// No answer (connection, TLS, time-out) after all attempts.
    case transport(operation: String, target: String, attempts: Int, underlying: String)
    /// An answer that fails its CRC32C check or lacks a field.
    case integrity(operation: String, target: String, detail: String)

    /// The ABI error with a message naming the operation and resource.
    public var pluginError: PluginError {
        switch self {
        case .invalidName(let text, let reason):
            return .invalidArgument("invalid Cloud KMS name \"\(text)\": \(reason)")
        case .configuration(let message):
            return .invalidArgument("cloudkms: \(message)")
        case .service(let operation, let target, let httpStatus, let status, let message):
            return PluginError(Self.code(httpStatus: httpStatus, status: status),
                               "Cloud KMS \(operation) on \(target) failed: HTTP \(httpStatus) \(status)\(message.isEmpty ? "" : ": \(message)")")
        case .token(let url, let httpStatus, let error, let description):
            return PluginError(.auth, "Cloud KMS: the token endpoint \(url) refused the service account: HTTP \(httpStatus) \(error)\(description.isEmpty ? "" : ": \(description)")")
        case .transport(let operation, let target, let attempts, let underlying):
            return .unavailable("Cloud KMS \(operation) on \(target) failed after \(attempts) attempt(s): \(underlying)")
        case .integrity(let operation, let target, let detail):
            return .internal("Cloud KMS \(operation) on \(target): \(detail)")
        }
    }

    /// Whether a failure may succeed when retried (429, 5xx, transport).
    public var isRetryable: Bool {
        switch self {
        case .transport: return true
        case .service(_, _, let httpStatus, let status, _):
            return httpStatus == 429 || httpStatus >= 500 || status == "UNAVAILABLE" || status == "RESOURCE_EXHAUSTED"
        case .token(_, let httpStatus, _, _): return httpStatus == 429 || httpStatus >= 500
        default: return false
        }
    }

    static func code(httpStatus: Int, status: String) -> PluginError.Code {
        switch status {
        case "NOT_FOUND": return .notFound
        case "ALREADY_EXISTS": return .conflict
        case "UNAUTHENTICATED", "PERMISSION_DENIED": return .auth
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE": return .invalidArgument
        case "UNIMPLEMENTED": return .unsupported
        case "UNAVAILABLE", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED": return .unavailable
        default: break
        }
        return PluginError.Code(httpStatus: httpStatus)
    }
}
