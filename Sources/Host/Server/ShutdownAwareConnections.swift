import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The server's connections, aware of graceful shutdown:
/// - one accepted after shutdown began is closed before its TLS handshake, as Go's
///   `http.Server.Shutdown` closes its listeners (nothing was read; the client can retry);
/// - every other one goes through the ``ConnectionHandoff``, so it is served even if the HTTP
///   server's accept loop ended before taking it, closes through ``LingeringClose`` and, over
///   HTTP/2, gets the ``HTTP2ConnectionGuards``.
struct ShutdownAwareConnections<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let shutdown: QuiesceGuard.ShutdownFlag
    let handoff: ConnectionHandoff

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard !shutdown.isSet else {
            logger.debug("shutdown: a connection accepted during shutdown is closed unread")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        let inner = self.inner, handoff = self.handoff
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            if let tls = try? pipeline.handler(type: NIOSSLServerHandler.self) {
                try pipeline.addHandlers([LingeringClose(), HTTP2ConnectionGuards()], position: .after(tls))
            } else {
                try pipeline.addHandler(LingeringClose(), position: .first)
            }
            handoff.setUp(channel) { await inner.handle(value: value, logger: logger) }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard handoff.claim(value.channel) else { return }
        await inner.handle(value: value, logger: logger)
    }
}

/// Raises the shutdown flag and drains the connection handoff as soon as graceful shutdown
/// begins. Run it as the last service of the group that holds the HTTP server: a service group
/// stops its services last first, so this happens before the server stops accepting.
struct ShutdownNoticeService: Service {
    let flag: QuiesceGuard.ShutdownFlag
    let handoff: ConnectionHandoff

    func run() async throws {
        try? await gracefulShutdown()
        flag.set()
        handoff.drain()
    }
}
