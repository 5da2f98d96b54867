import NIOCore
import NIOHTTP2

/// Passes the server's request to quiesce an HTTP/2 connection on only once the client has
/// acknowledged our SETTINGS.
///
/// NIOHTTP2 treats a connection as finished the moment the server has sent GOAWAY and no stream
/// is open, and then takes the client's SETTINGS acknowledgement — which the protocol obliges
/// the client to send — as a protocol error: it answers with a GOAWAY(PROTOCOL_ERROR) and the
/// connection is closed. A client that had just sent a request on a connection set up as
/// shutdown began saw its stream broken (curl 18) instead of refused (safe to retry). Placed
/// between the HTTP/2 handler and the connection manager, this handler holds the quiesce event
/// until the acknowledgement has gone by, at most ``maximumHold``.
final class HTTP2SettingsAckGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    /// The longest the quiesce event waits for a client that does not acknowledge.
    static let maximumHold = TimeAmount.seconds(1)

    private let maximumHold: TimeAmount
    private var heldQuiesce: ChannelShouldQuiesceEvent?
    private var holdTimer: Scheduled<Void>?

    init(maximumHold: TimeAmount = HTTP2SettingsAckGate.maximumHold) {
        self.maximumHold = maximumHold
    }

    /// Once the acknowledgement has gone by, the gate has nothing left to do: it releases what
    /// it holds and leaves the pipeline, so later frames do not pass through it.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .settings(.ack) = unwrapInboundIn(data).payload else {
            context.fireChannelRead(data)
            return
        }
        context.fireChannelRead(data)
        releaseQuiesce(context: context)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let quiesce = event as? ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard heldQuiesce == nil else { return }
        heldQuiesce = quiesce
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        holdTimer = context.eventLoop.assumeIsolated().scheduleTask(in: maximumHold) {
            let (gate, context) = loopBound.value
            gate.releaseQuiesce(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        holdTimer?.cancel()
        holdTimer = nil
        context.fireChannelInactive()
    }

    private func releaseQuiesce(context: ChannelHandlerContext) {
        holdTimer?.cancel()
        holdTimer = nil
        guard let quiesce = heldQuiesce else { return }
        heldQuiesce = nil
        context.fireUserInboundEventTriggered(quiesce)
    }
}
