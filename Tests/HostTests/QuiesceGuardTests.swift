import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import Host

/// `QuiesceGuard` on an embedded channel: what reaches the server's handler (recorded by a
/// handler behind the guard) when shutdown asks a connection to quiesce at each point of its life.
@Suite("graceful shutdown: connection guard")
struct QuiesceGuardTests {
    /// Records what passes the guard, in order.
    final class Recorder: ChannelInboundHandler {
        typealias InboundIn = HTTPRequestPart
        var events: [String] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): events.append("head \(head.path ?? "")")
            case .body: events.append("body")
            case .end: events.append("end")
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { events.append("quiesce") }
        }
    }

    struct Connection {
        let channel = EmbeddedChannel()
        let recorder = Recorder()

        init(flag: QuiesceGuard.ShutdownFlag = .init()) throws {
            try channel.pipeline.syncOperations.addHandler(QuiesceGuard(shutdown: flag, logger: Logger(label: "test")))
            try channel.pipeline.syncOperations.addHandler(recorder)
        }

        func request(_ path: String) throws {
            try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: "https", authority: "ca", path: path)))
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{}")))
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }

        func respond() throws {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .created)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }

        func quiesce() { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }

    @Test("a new connection is held open for its first request, which is served before the close")
    func newConnectionServesFirstRequest() throws {
        let connection = try Connection()
        connection.quiesce()
        #expect(connection.recorder.events.isEmpty)
        try connection.request("/sign")
        #expect(connection.recorder.events == ["head /sign", "quiesce", "body", "end"])
        try connection.respond()
        try connection.request("/sign2")
        #expect(connection.recorder.events == ["head /sign", "quiesce", "body", "end"], "a second request is not started")
    }

    @Test("a new connection without a request is closed after the wait, and a late request is dropped")
    func newConnectionTimesOut() throws {
        let connection = try Connection()
        connection.quiesce()
        connection.channel.embeddedEventLoop.advanceTime(by: QuiesceGuard.firstRequestWait - .milliseconds(1))
        #expect(connection.recorder.events.isEmpty)
        connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(connection.recorder.events == ["quiesce"])
        try connection.request("/late")
        #expect(connection.recorder.events == ["quiesce"])
    }

    @Test("an idle keep-alive connection closes at once and drops a request racing the close")
    func idleKeepAliveConnection() throws {
        let connection = try Connection()
        try connection.request("/first")
        try connection.respond()
        connection.quiesce()
        try connection.request("/racing")
        #expect(connection.recorder.events == ["head /first", "body", "end", "quiesce"])
    }

    @Test("a request in progress finishes; a request pipelined behind it is not started")
    func requestInProgress() throws {
        let connection = try Connection()
        try connection.channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: "https", authority: "ca", path: "/slow")))
        connection.quiesce()
        try connection.channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{}")))
        try connection.channel.writeInbound(HTTPRequestPart.end(nil))
        try connection.request("/next")
        #expect(connection.recorder.events == ["head /slow", "quiesce", "body", "end"])
    }

    @Test("a connection set up after shutdown began is held for its first request too")
    func connectionSetUpDuringShutdown() throws {
        let flag = QuiesceGuard.ShutdownFlag()
        let first = try Connection(flag: flag)
        first.quiesce()
        #expect(flag.isSet)
        let late = try Connection(flag: flag)
        try late.request("/sign")
        #expect(late.recorder.events == ["head /sign", "quiesce", "body", "end"])
        let untouched = try Connection()
        try untouched.request("/sign")
        #expect(untouched.recorder.events == ["head /sign", "body", "end"], "another server's connections are not affected")
    }
}
