import NIOCore
import NIOHTTP2

/// Keeps an error of one HTTP/2 stream from closing the whole connection.
///
/// NIOHTTP2 answers a stream error itself, with RST_STREAM — in particular a stream the client
/// opened after our GOAWAY is refused (REFUSED_STREAM), which tells the client it may retry the
/// request elsewhere. It then also reports the error down the pipeline, and the HTTP server's
/// HTTP/2 connection manager closes the connection on any error it sees. At shutdown that cut
/// off the client before it could read the refusal (curl 18 for a request that was never
/// processed). Placed between the HTTP/2 handler and the connection manager, this handler stops
/// stream errors there; connection errors pass.
final class HTTP2StreamErrorFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !(error is NIOHTTP2Errors.StreamError) else { return }
        context.fireErrorCaught(error)
    }
}
