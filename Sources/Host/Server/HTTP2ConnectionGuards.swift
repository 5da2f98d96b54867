import NIOCore
import NIOHTTP2
import NIOTLS

/// Puts the connection-level HTTP/2 guards in place as soon as a connection has negotiated
/// HTTP/2: ``HTTP2FlushBeforeClose``, ``HTTP2StreamErrorFilter`` and ``HTTP2SettingsAckGate``,
/// right after the HTTP/2 handler and before the HTTP server's connection manager.
///
/// The HTTP server offers no hook on the HTTP/2 connection pipeline, which its protocol
/// negotiation builds when the TLS handshake completes. Placed before the negotiation handler,
/// this handler passes the handshake event on — the negotiation builds the HTTP/2 pipeline
/// synchronously — and then installs the guards, before any HTTP/2 frame is read; then it
/// removes itself.
final class HTTP2ConnectionGuards: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        guard let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent else { return }
        let pipeline = context.pipeline.syncOperations
        if let http2 = try? pipeline.context(handlerType: NIOHTTP2Handler.self) {
            try? pipeline.addHandler(HTTP2SettingsAckGate(), position: .after(http2.handler))
            try? pipeline.addHandler(HTTP2StreamErrorFilter(), position: .after(http2.handler))
            try? pipeline.addHandler(HTTP2FlushBeforeClose(), position: .after(http2.handler))
        }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
