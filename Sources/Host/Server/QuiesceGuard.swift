import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes
import Logging

/// Graceful shutdown (SIGTERM) that answers every request the CA starts, and starts none it
/// cannot answer.
///
/// On shutdown the HTTP server asks each connection to quiesce, and a connection with no request
/// in progress is closed at once. Closing TLS is not instant, though: the TLS layer keeps reading
/// while it waits for the peer's close_notify, so a request that arrives in that window was
/// decoded and handled — its certificate issued and recorded — and its answer could no longer be
/// written. This handler, placed between the HTTP codec and the server's connection handler,
/// closes that window:
/// - a connection that has not received its first request yet (just accepted, or still in its
///   TLS handshake when shutdown began) is left open until that request arrives, then closes after
///   answering it, as Go's `http.Server.Shutdown` serves new connections; after
///   ``firstRequestWait`` without one it closes anyway;
/// - an idle keep-alive connection closes at once, and a request that still arrives on it is
///   dropped unread rather than handled (the client sees a closed connection, as with any
///   keep-alive race, and nothing was issued); parts of requests already started still pass;
/// - a connection with a request in progress closes after its response, as before.
final class QuiesceGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long a connection without a request is kept open once shutdown has begun (Go's
    /// `http.Server.Shutdown` gives a new connection the same 5 seconds).
    static let firstRequestWait: TimeAmount = .seconds(5)

    /// Shared by every connection of one server: set as graceful shutdown begins
    /// (``ShutdownNoticeService``) and by the first quiesce request, so that a connection whose
    /// pipeline is set up later (its TLS handshake was still running, and the request to quiesce
    /// passed it by) knows that shutdown has begun.
    final class ShutdownFlag: Sendable {
        private let state = NIOLockedValueBox(false)
        var isSet: Bool { state.withLockedValue { $0 } }
        func set() { state.withLockedValue { $0 = true } }
    }

    private let shutdown: ShutdownFlag
    private let logger: Logger
    private var requestsStarted = 0
    private var responsesWritten = 0
    private var holdingQuiesce = false
    /// The connection is closing: requests that begin from now on are not handled.
    private var refusingNewRequests = false
    /// A refused request began: its parts, and everything after them, are dropped.
    private var droppingInput = false
    private var requestInProgress: Bool { requestsStarted > responsesWritten }
    private var holdTimer: Scheduled<Void>?

    init(shutdown: ShutdownFlag, logger: Logger) {
        self.shutdown = shutdown
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if shutdown.isSet {
            logger.debug("shutdown: a connection set up during shutdown is kept open for its first request")
            hold(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelHoldTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelHoldTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let isHead: Bool
        if case .head = unwrapInboundIn(data) { isHead = true } else { isHead = false }
        if isHead && refusingNewRequests && !droppingInput {
            droppingInput = true
            logger.debug("shutdown: a request that arrived on a closing connection is dropped unread")
        }
        guard !droppingInput else { return }
        guard isHead else {
            context.fireChannelRead(data)
            return
        }
        requestsStarted += 1
        context.fireChannelRead(data)
        if holdingQuiesce {
            // The server's handler now counts this request, and closes after answering it.
            holdingQuiesce = false
            refusingNewRequests = true
            cancelHoldTimer()
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { responsesWritten += 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        shutdown.set()
        if !requestInProgress && responsesWritten == 0 {
            logger.debug("shutdown: a new connection is kept open for its first request")
            hold(context: context)
        } else {
            // In progress: the server closes after this response. Idle: it closes now.
            refusingNewRequests = true
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func hold(context: ChannelHandlerContext) {
        guard !holdingQuiesce else { return }
        holdingQuiesce = true
        holdTimer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.firstRequestWait) {
            guard self.holdingQuiesce else { return }
            self.logger.debug("shutdown: no request on a new connection, closing it")
            self.holdingQuiesce = false
            self.holdTimer = nil
            self.refusingNewRequests = true
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    private func cancelHoldTimer() {
        holdTimer?.cancel()
        holdTimer = nil
    }
}
