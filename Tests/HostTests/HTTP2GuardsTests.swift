import NIOCore
import NIOEmbedded
import NIOHTTP2
import NIOTLS
import Testing
@testable import Host

/// The connection-level HTTP/2 guards against closes at shutdown that leave a client unable to
/// tell a refused request from a broken one: the filter for stream errors, the gate that holds
/// the quiesce event until the client has acknowledged our SETTINGS, and their installation once
/// HTTP/2 is negotiated.
@Suite("HTTP/2 connection guards: stream-error filter, SETTINGS-ack gate, installation")
struct HTTP2GuardsTests {
    /// Records what reaches the end of the pipeline.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame
        var errors: [any Error] = []
        var quiesceEvents = 0
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append(error) }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { quiesceEvents += 1 }
        }
    }

    static func settingsAck() -> HTTP2Frame { HTTP2Frame(streamID: .rootStream, payload: .settings(.ack)) }

    @Test("a stream error stops at the filter; a connection error passes")
    func streamErrorFilter() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [HTTP2StreamErrorFilter(), recorder])
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.streamError(streamID: 1, baseError: NIOHTTP2Errors.createdStreamAfterGoaway()))
        #expect(recorder.errors.isEmpty, "a refused stream must not reach the connection manager, which would close the connection")
        channel.pipeline.fireErrorCaught(NIOHTTP2Errors.missingPreface())
        #expect(recorder.errors.count == 1, "connection errors still close the connection")
    }

    @Test("the quiesce event waits for the client's SETTINGS acknowledgement")
    func quiesceWaitsForAck() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [HTTP2SettingsAckGate(maximumHold: .seconds(1)), recorder])
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesceEvents == 0, "held while the client has not acknowledged")
        try channel.writeInbound(Self.settingsAck())
        #expect(recorder.quiesceEvents == 1, "passed on right after the acknowledgement")
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesceEvents == 2, "once acknowledged, quiesce events pass at once")
        #expect(try channel.readInbound(as: HTTP2Frame.self) != nil, "the acknowledgement itself goes on")
    }

    @Test("a client that never acknowledges holds the quiesce event at most the maximum hold")
    func quiesceHoldIsBounded() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handlers: [HTTP2SettingsAckGate(maximumHold: .seconds(1)), recorder])
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(recorder.quiesceEvents == 0)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(recorder.quiesceEvents == 1, "released once when the hold ends, not once per request")
    }

    /// Stands in for the protocol negotiation: on the handshake event it builds an HTTP/2
    /// pipeline, as the HTTP server's negotiation handler does, synchronously.
    final class NegotiationStandIn: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let tls = event as? TLSUserEvent, case .handshakeCompleted(negotiatedProtocol: "h2") = tls {
                try? context.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server))
                try? context.pipeline.syncOperations.addHandler(Recorder())
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// A connection with the installer in place, after a handshake that negotiated `alpn`.
    static func negotiated(_ alpn: String) -> EmbeddedChannel {
        let channel = EmbeddedChannel(handlers: [HTTP2ConnectionGuards(), NegotiationStandIn()])
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: alpn))
        channel.embeddedEventLoop.run()
        return channel
    }

    @Test("after an h2 handshake the guards sit right after the HTTP/2 handler, and the installer is gone")
    func guardsInstalledOnNegotiation() throws {
        let channel = Self.negotiated("h2")
        let pipeline = channel.pipeline.syncOperations
        #expect((try? pipeline.handler(type: HTTP2ConnectionGuards.self)) == nil, "the installer removed itself")
        _ = try pipeline.handler(type: HTTP2FlushBeforeClose.self)
        // What the HTTP/2 handler passes on must meet the guards before it reaches the handlers
        // the negotiation put after it (the connection manager).
        let http2 = try pipeline.context(handlerType: NIOHTTP2Handler.self)
        let recorder = try pipeline.handler(type: Recorder.self)
        http2.fireErrorCaught(NIOHTTP2Errors.streamError(streamID: 1, baseError: NIOHTTP2Errors.createdStreamAfterGoaway()))
        #expect(recorder.errors.isEmpty, "the stream-error filter sits between them")
        http2.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.quiesceEvents == 0, "the SETTINGS-ack gate sits between them")
    }

    @Test("an HTTP/1.1 connection gets no HTTP/2 guards")
    func noGuardsOverHTTP1() throws {
        let channel = Self.negotiated("http/1.1")
        let pipeline = channel.pipeline.syncOperations
        #expect((try? pipeline.handler(type: HTTP2StreamErrorFilter.self)) == nil)
        #expect((try? pipeline.handler(type: HTTP2ConnectionGuards.self)) == nil)
    }
}
