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
    private var acknowledged = false
    private var heldQuiesce: ChannelShouldQuiesceEvent?
    private var holdTimer: Scheduled<Void>?

    init(maximumHold: TimeAmount = HTTP2SettingsAckGate.maximumHold) {
        self.maximumHold = maximumHold
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !acknowledged, case .settings(.ack) = unwrapInboundIn(data).payload {
            acknowledged = true
            context.fireChannelRead(data)
            releaseQuiesce(context: context)
            return
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard !acknowledged, let quiesce = event as? ChannelShouldQuiesceEvent else {
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
