import Hummingbird

/// The one route table of the HTTPS API. Every route is served at `/` and again under `/1.0`.
enum Routes {
    static func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        for prefix in ["", "/1.0"] {
            router.get("\(prefix)/health") { _, _ in HealthHandler.health() }
        }
        return router
    }
}

/// `GET /health`: `{"status":"ok"}` with Go's trailing newline.
enum HealthHandler {
    static func health() -> Response {
        JSONBody.response(status: .ok, text: #"{"status":"ok"}"#)
    }
}

/// Responses with a JSON body written as Go's encoder writes it (with a trailing newline).
enum JSONBody {
    static func response(status: HTTPResponse.Status, text: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(text)
        buffer.writeString("\n")
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
