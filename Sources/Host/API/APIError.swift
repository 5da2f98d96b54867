/// An error answered to an API client: a status, the message the client sees, and a detail that
/// only goes to the log. step-ca's rules (reference §1.3): 400 and 403 carry a prefixed text; most
/// 401, 404, 500 and 501 answers carry a generic message and keep the reason for the log.
struct APIError: Error, CustomStringConvertible, Sendable {
    let status: Int
    let message: String
    /// The reason, for the log only (never a token, key or password).
    let detail: String

    var description: String { "\(status): \(detail.isEmpty ? message : detail)" }

    static let unauthorizedMessage = "The request lacked necessary authorization to be completed. Please see the certificate authority logs for more info."
    static let notFoundMessage = "The requested resource could not be found. Please see the certificate authority logs for more info."
    static let internalMessage = "The certificate authority encountered an Internal Server Error. Please see the certificate authority logs for more info."
    static let notImplementedMessage = "The requested method is not implemented by the certificate authority. Please see the certificate authority logs for more info."

    /// 400 `The request could not be completed: <text>.`
    static func badRequest(_ text: String, detail: String? = nil) -> APIError {
        APIError(status: 400, message: "The request could not be completed: \(text).", detail: detail ?? text)
    }

    /// 403 `The request was forbidden by the certificate authority: <text>.`
    static func forbidden(_ text: String, detail: String? = nil) -> APIError {
        APIError(status: 403, message: "The request was forbidden by the certificate authority: \(text).", detail: detail ?? text)
    }

    /// 401 with the generic message; `detail` goes to the log.
    static func unauthorized(_ detail: String) -> APIError {
        APIError(status: 401, message: unauthorizedMessage, detail: detail)
    }

    /// 401 with a specific message (step-ca's few explicit 401 texts).
    static func unauthorized(message text: String, detail: String) -> APIError {
        APIError(status: 401, message: "The request lacked necessary authorization to be completed: \(text)", detail: detail)
    }

    static func notFound(_ detail: String) -> APIError {
        APIError(status: 404, message: notFoundMessage, detail: detail)
    }

    static func internalError(_ detail: String) -> APIError {
        APIError(status: 500, message: internalMessage, detail: detail)
    }

    /// 501 Not Implemented with the generic message (e.g. active revocation, revocation without a DB).
    static func unsupportedFeature(_ detail: String) -> APIError {
        APIError(status: 501, message: notImplementedMessage, detail: detail)
    }
}
