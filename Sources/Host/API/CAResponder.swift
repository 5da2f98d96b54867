import NIOCore
import Foundation
import Hummingbird

/// Dispatches requests through the route table, turns errors into step-ca's bodies, sets
/// `X-Request-Id`, and writes one access-log line per request.
struct CAResponder: HTTPResponder {
    typealias Context = CARequestContext

    let routes: RouteTable
    let authorities: AuthorityHolder
    let accessLog: AccessLog

    func respond(to request: Request, context: CARequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = request.headers[.init("X-Request-Id")!] ?? request.headers[.init("X-Smallstep-Id")!] ?? RequestID.make()
        let authority = authorities.current
        let fields = RequestLogFields(recording: accessLog.format != .off)
        var response: Response
        switch routes.match(method: request.method, path: request.uri.path) {
        case .notFound:
            response = Response(status: .notFound,
                                headers: [.contentType: "text/plain; charset=utf-8", .init("X-Content-Type-Options")!: "nosniff"],
                                body: .init(byteBuffer: ByteBuffer(string: "404 page not found\n")))
        case .methodNotAllowed:
            response = Response(status: .methodNotAllowed)
        case .handler(let handler, let parameters):
            let apiRequest = APIRequest(request: request, context: context, parameters: parameters,
                                        authority: authority, log: fields)
            do {
                response = try await handler(apiRequest)
            } catch {
                let apiError = ErrorResponse.apiError(for: error)
                fields.error = apiError.detail
                response = ErrorResponse.response(for: apiError)
            }
        }
        response.headers[.init("X-Request-Id")!] = requestID
        if request.method == .head { response.body = .init() }
        accessLog.write(request: request, response: response, requestID: requestID, fields: fields,
                        duration: ContinuousClock.now - started,
                        httpProtocol: Self.isHTTP2Stream(context.channel) ? "HTTP/2.0" : "HTTP/1.1",
                        remoteAddress: context.channel.remoteAddress?.ipAddress ?? "")
        return response
    }

    /// Whether the request came on an HTTP/2 stream: a stream is a child of its connection,
    /// which is a child of the listening channel; an HTTP/1.1 connection is one level up.
    static func isHTTP2Stream(_ channel: any Channel) -> Bool {
        channel.parent?.parent != nil
    }
}
