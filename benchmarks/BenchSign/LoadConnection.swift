import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One answered request: its index in the prepared list, latency, status and body.
struct Outcome {
    let index: Int
    let seconds: Double
    let status: Int
    let body: ByteBuffer
}

/// The prepared request bodies, handed out once each to whichever connection asks next.
final class RequestQueue: Sendable {
    let path: String
    let host: String
    private let bodies: [ByteBuffer]
    private let nextIndex = NIOLockedValueBox(0)

    init(bodies: [ByteBuffer], path: String, host: String) {
        self.bodies = bodies
        self.path = path
        self.host = host
    }

    func next() -> (index: Int, body: ByteBuffer)? {
        let index = nextIndex.withLockedValue { value in
            defer { value += 1 }
            return value
        }
        return index < bodies.count ? (index, bodies[index]) : nil
    }
}

/// Drives one keep-alive HTTPS/1.1 connection from its event loop, like h2load: it sends a
/// request, and when a response has ended, the next one, until the queue is empty; then it
/// closes the connection and completes `done` with what it got. Nothing hops to another thread
/// per request, so the load generator takes as little as it can of the machine it shares with
/// the server.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let queue: RequestQueue
    private let done: EventLoopPromise<[Outcome]>
    private var outcomes: [Outcome] = []
    private var current: (index: Int, started: NIODeadline)?
    private var status = 0
    private var body = ByteBuffer()
    private var finished = false

    init(queue: RequestQueue, done: EventLoopPromise<[Outcome]>) {
        self.queue = queue
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        sendNext(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let request = current else { return finish(context: context, .failure(BenchError("a response nobody asked for"))) }
            let elapsed = NIODeadline.now() - request.started
            outcomes.append(Outcome(index: request.index, seconds: Double(elapsed.nanoseconds) / 1e9, status: status, body: body))
            body = ByteBuffer()
            current = nil
            sendNext(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context: context, .failure(BenchError("the server closed the connection before the run ended")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(context: context, .failure(error))
    }

    private func sendNext(context: ChannelHandlerContext) {
        guard let (index, requestBody) = queue.next() else { return finish(context: context, .success(outcomes)) }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: queue.path)
        head.headers.add(name: "Host", value: queue.host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(requestBody.readableBytes))
        current = (index, .now())
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func finish(context: ChannelHandlerContext, _ result: Result<[Outcome], Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
        context.close(promise: nil)
    }

    /// Opens one connection that works through `queue`; the future holds its outcomes.
    static func start(queue: RequestQueue, port: Int, trustRoot: NIOSSLCertificate,
                      group: EventLoopGroup) throws -> EventLoopFuture<[Outcome]> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([trustRoot])
        let context = try NIOSSLContext(configuration: configuration)
        let loop = group.next()
        let done = loop.makePromise(of: [Outcome].self)
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: queue.host))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(LoadConnectionHandler(queue: queue, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .whenFailure { done.fail($0) }
        return done.futureResult
    }
}
