import Hummingbird

/// Responses with a JSON body, written as Go's `json.NewEncoder` writes it: compact, HTML
/// characters escaped, a trailing newline.
enum JSONBody {
    static func response(status: HTTPResponse.Status, json: OrderedJSON) -> Response {
        response(status: status, text: json.compact())
    }

    static func response(status: HTTPResponse.Status, text: String) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// A JSON body already encoded (a trailing newline is added).
    static func response(status: HTTPResponse.Status, body: [UInt8]) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(body.count + 1)
        buffer.writeBytes(body)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// A PEM body (`application/x-pem-file`).
    static func pem(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/x-pem-file"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
