import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP2
import ServiceLifecycle
import Testing
@testable import Host

/// The pieces of graceful shutdown around the HTTP server, each on its own: the HTTP/2 close
/// that flushes first, the close that lets the client read the last frames, the refusal of
/// connections accepted during shutdown, the handoff that
/// serves every connection set up, and the service that raises the shutdown flag and drains the
/// handoff before the server stops.
@Suite("graceful shutdown: flush, linger, refusal, handoff, notice")
struct ShutdownPiecesTests {
    static func frame(_ text: String) -> HTTP2Frame {
        HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: true)))
    }

    static func writtenText(_ channel: EmbeddedChannel) throws -> String? {
        guard let frame = try channel.readOutbound(as: HTTP2Frame.self),
              case .data(let data) = frame.payload, case .byteBuffer(let buffer) = data.data else { return nil }
        return String(buffer: buffer)
    }

    /// A frame written but not yet flushed when the connection is closed: NIO fails it on a plain
    /// close, and the flusher delivers it before closing.
    @Test("a close behind HTTP2FlushBeforeClose delivers the frames written before it")
    func flushBeforeClose() throws {
        let plain = EmbeddedChannel()
        try plain.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        plain.write(Self.frame("answer"), promise: nil)
        try plain.close().wait()
        #expect(try Self.writtenText(plain) == nil, "without the handler the unflushed frame is dropped")

        let channel = EmbeddedChannel(handler: HTTP2FlushBeforeClose())
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.write(Self.frame("answer"), promise: nil)
        let closed = channel.close()
        let activeBeforeTick = channel.isActive
        #expect(activeBeforeTick, "the close waits for the next event-loop tick")
        channel.embeddedEventLoop.run()
        try closed.wait()
        let activeAfterTick = channel.isActive
        #expect(!activeAfterTick)
        #expect(try Self.writtenText(channel) == "answer")
    }

    /// A close waits until the client has closed its side (so it reads the last frames instead of
    /// losing them to a reset), at most the linger timeout.
    @Test("a close behind LingeringClose flushes, then waits for the client, at most the timeout")
    func lingeringClose() throws {
        let timedOut = EmbeddedChannel(handler: LingeringClose(timeout: .seconds(1)))
        try timedOut.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        timedOut.write(ByteBuffer(string: "goaway"), promise: nil)
        let closeCompleted = SharedCount()
        timedOut.close().whenComplete { _ in closeCompleted.increment() }
        #expect(try timedOut.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "goaway"), "what was written is flushed at once")
        timedOut.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        let openWhileLingering = timedOut.isActive
        #expect(openWhileLingering, "the connection stays open while the client may still be reading")
        #expect(closeCompleted.value == 0)
        timedOut.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        timedOut.embeddedEventLoop.run()
        let openAfterTimeout = timedOut.isActive
        #expect(!openAfterTimeout)
        #expect(closeCompleted.value == 1, "the close request completes when the connection closes")

        let clientClosed = EmbeddedChannel(handler: LingeringClose(timeout: .seconds(1)))
        try clientClosed.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        clientClosed.close(promise: nil)
        clientClosed.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        clientClosed.embeddedEventLoop.run()
        let openAfterClientClosed = clientClosed.isActive
        #expect(!openAfterClientClosed, "closed as soon as the client closed its side, without waiting")
    }

    /// The inner child channel, recording how often it was asked to set up and to serve.
    struct RecordingChildChannel: ServerChildChannel {
        struct Value: ServerChildChannelValue { let channel: any Channel }
        let setups = SharedCount()
        let served = SharedCount()

        func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
            setups.increment()
            return channel.eventLoop.makeSucceededFuture(Value(channel: channel))
        }

        func handle(value: Value, logger: Logger) async { served.increment() }
    }

    static func connectedChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// A connection the server's accept loop never takes is served by the drain; one it takes
    /// is served by it alone; one set up after the drain began is served at once.
    @Test("every connection set up is served exactly once, by the server or by the drain")
    func connectionHandoff() async throws {
        let inner = RecordingChildChannel()
        let handoff = ConnectionHandoff()
        let connections = ShutdownAwareConnections(inner: inner, shutdown: .init(), handoff: handoff)
        let logger = Logger(label: "test")

        let taken = try connections.setup(channel: try Self.connectedChannel(), logger: logger).wait()
        let orphan = try connections.setup(channel: try Self.connectedChannel(), logger: logger).wait()
        await connections.handle(value: taken, logger: logger)
        #expect(inner.served.value == 1)

        handoff.drain()
        await handoff.drained()
        #expect(inner.served.value == 2, "the connection the server never took was served by the drain")
        await connections.handle(value: orphan, logger: logger)
        #expect(inner.served.value == 2, "and the server, taking it late, does not serve it again")

        _ = try connections.setup(channel: try Self.connectedChannel(), logger: logger).wait()
        await handoff.drained()
        #expect(inner.served.value == 3, "a connection set up during the drain is served at once")
    }

    @Test("connections are set up until shutdown begins, then closed unread")
    func lateConnectionRefusal() throws {
        let flag = QuiesceGuard.ShutdownFlag()
        let inner = RecordingChildChannel()
        let refusal = ShutdownAwareConnections(inner: inner, shutdown: flag, handoff: ConnectionHandoff())
        let logger = Logger(label: "test")

        let early = EmbeddedChannel()
        try early.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        let value = try refusal.setup(channel: early, logger: logger).wait()
        let sameChannel = value.channel === early, earlyActive = early.isActive
        #expect(sameChannel)
        #expect(earlyActive)
        #expect(inner.setups.value == 1)

        flag.set()
        let late = EmbeddedChannel()
        try late.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(throws: ChannelError.self) { try refusal.setup(channel: late, logger: logger).wait() }
        late.embeddedEventLoop.run()
        let lateActive = late.isActive
        #expect(!lateActive, "a connection accepted during shutdown is closed")
        #expect(inner.setups.value == 1, "and never set up for TLS and HTTP")
    }

    /// Stands in for the HTTP server: on graceful shutdown it records whether the flag was up.
    struct ServerStandIn: Service {
        let flag: QuiesceGuard.ShutdownFlag
        let sawFlagAtShutdown: SharedCount

        func run() async throws {
            try? await gracefulShutdown()
            if flag.isSet { sawFlagAtShutdown.increment() }
        }
    }

    @Test("the notice service raises the flag before the server is asked to stop")
    func shutdownNoticeOrder() async throws {
        let flag = QuiesceGuard.ShutdownFlag()
        let saw = SharedCount()
        let handoff = ConnectionHandoff()
        let group = ServiceGroup(configuration: .init(
            services: [ServerStandIn(flag: flag, sawFlagAtShutdown: saw), ShutdownNoticeService(flag: flag, handoff: handoff)],
            logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(!flag.isSet, "nothing raises the flag before shutdown")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(flag.isSet)
        #expect(saw.value == 1, "the server saw the flag up when its own shutdown began")
        let channel = try Self.connectedChannel()
        let served = SharedCount()
        handoff.setUp(channel) { served.increment() }
        await handoff.drained()
        #expect(served.value == 1, "the notice service started the drain")
    }
}

/// A thread-safe counter for the stand-ins above.
final class SharedCount: Sendable {
    private let box = NIOLockedValueBox(0)
    var value: Int { box.withLockedValue { $0 } }
    func increment() { box.withLockedValue { $0 += 1 } }
}
