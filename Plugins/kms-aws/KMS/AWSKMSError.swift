import CloudKMSKit
import PluginKit

/// Errors of the AWS KMS plugin, each converted to a ``PluginError`` with its code.
public enum AWSKMSError: PluginErrorConvertible, Sendable {
    /// A malformed `awskms:` URI or key name.
    case invalidURI(String, String)
    /// Missing or unusable configuration (region, credentials, endpoint).
    case configuration(String)
    /// An error answer of the KMS API.
    case service(operation: String, target: String, status: Int, type: String, message: String)
    /// No answer (connection, TLS, time-out) after all attempts.
    case transport(operation: String, target: String, attempts: Int, underlying: String)

    /// The ABI error with a message naming the operation and key.
    public var pluginError: PluginError {
        switch self {
        case .invalidURI(let text, let reason):
            return .invalidArgument("invalid AWS KMS name \"\(text)\": \(reason)")
        case .configuration(let message):
            return .invalidArgument("awskms: \(message)")
        case .transport(let operation, let target, let attempts, let underlying):
            return .unavailable("AWS KMS \(operation) on \(target) failed after \(attempts) attempt(s): \(underlying)")
        case .service(let operation, let target, let status, let type, let message):
            let text = "AWS KMS \(operation) on \(target) failed: HTTP \(status) \(type)\(message.isEmpty ? "" : ": \(message)")"
            return PluginError(Self.code(status: status, type: type), text)
        }
    }

    /// Whether a failure may succeed when retried (throttling, 5xx, transport).
    public var isRetryable: Bool {
        switch self {
        case .transport: return true
        case .service(_, _, let status, let type, _):
            return status >= 500 || status == 429 || Self.throttling.contains(type)
        default: return false
        }
    }

    static let throttling: Set<String> = ["ThrottlingException", "Throttling", "TooManyRequestsException",
                                          "RequestLimitExceeded", "LimitExceededException"]

    static func code(status: Int, type: String) -> PluginError.Code {
        switch type {
        case "NotFoundException": return .notFound
        case "AlreadyExistsException": return .conflict
        case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
             "IncompleteSignature", "SignatureDoesNotMatch", "InvalidClientTokenId", "ExpiredToken",
             "ExpiredTokenException", "MissingAuthenticationToken", "AuthFailure":
            return .auth
        case "UnsupportedOperationException": return .unsupported
        case "ValidationException", "InvalidKeyUsageException", "InvalidArnException",
             "InvalidAliasNameException", "KMSInvalidStateException", "DisabledException":
            return .invalidArgument
        default: break
        }
        return throttling.contains(type) ? .unavailable : PluginError.Code(httpStatus: status)
    }
}
