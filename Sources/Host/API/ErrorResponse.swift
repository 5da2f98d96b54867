import Hummingbird

/// The one place where errors become HTTP responses: `{"status":N,"message":"..."}`.
enum ErrorResponse {
    /// Maps any error thrown by a handler to step-ca's error body. Unknown errors are 500s whose
    /// detail is logged but never shown.
    static func apiError(for error: Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DatabaseError:
            return .internalError("database: \(error.message)")
        default:
            return .internalError(String(describing: error))
        }
    }

    static func response(for error: APIError) -> Response {
        let body = OrderedJSON.object([("status", .number(String(error.status))), ("message", .string(error.message))])
        return JSONBody.response(status: .init(code: error.status), json: body)
    }
}
