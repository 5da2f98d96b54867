import NIOCore
import NIOHTTP2

/// Lets an HTTP/2 connection deliver its last answer before it closes during shutdown.
///
/// The HTTP server's HTTP/2 connection manager closes the connection the moment its last open
/// stream closes once shutdown has begun. A stream closes when its final frame is *written*,
/// before that frame is flushed, and NIO fails writes still unflushed when a channel closes: the
/// client got a cut-off answer (curl 18) for a certificate the CA had recorded. Placed between
/// the HTTP/2 handler and the connection manager, this handler runs a full close one event-loop
/// tick later, after flushing, so the frames already written go out first.
final class HTTP2FlushBeforeClose: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var closeScheduled = false

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, !closeScheduled else {
            context.close(mode: mode, promise: promise)
            return
        }
        closeScheduled = true
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loopBound.value.flush()
            loopBound.value.close(mode: mode, promise: promise)
        }
    }
}
