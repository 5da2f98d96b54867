import NIOCore

/// Closes a connection only after its client has read what was sent last.
///
/// Closing a socket whose input holds unread bytes makes the kernel reset the connection, and a
/// reset makes the client's kernel discard what it had received but not yet read. At shutdown
/// that loses the very frames that tell a client what happened — an HTTP/2 GOAWAY and the
/// refusal of a stream the client had just opened — so the client sees a broken transfer
/// (curl 18) instead of a refused request it may retry elsewhere. Placed right after the TLS
/// handler, this handler turns a full close into: flush, then wait until the client closes its
/// side or ``timeout`` passes (Go's HTTP/2 server waits the same second after its final GOAWAY).
/// Reads go on meanwhile, so the HTTP/2 handler keeps refusing streams opened too late.
final class LingeringClose: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest a closing connection waits for its client to close first.
    static let timeout = TimeAmount.seconds(1)

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var closing = false

    init(timeout: TimeAmount = LingeringClose.timeout) {
        self.timeout = timeout
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        if let promise { context.channel.closeFuture.cascade(to: promise) }
        guard !closing else { return }
        closing = true
        context.flush()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closing, let event = event as? ChannelEvent, event == .inputClosed {
            timer?.cancel()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}
