import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Closes connections accepted after graceful shutdown began, before their TLS handshake, as
/// Go's `http.Server.Shutdown` closes its listeners.
///
/// The HTTP server stops taking connections from its listener when shutdown begins; one the
/// kernel had already handed over was still set up (TLS, HTTP) but never served. Over HTTP/1.1
/// the client waited for an answer that never came; over HTTP/2 the first stream on it made NIO
/// trap ("Deinited NIOAsyncWriter without calling finish()"), because nobody takes the streams
/// it opens. Refused here, nothing was read from it, and the client can retry elsewhere.
struct LateConnectionRefusal<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let shutdown: QuiesceGuard.ShutdownFlag

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard !shutdown.isSet else {
            logger.debug("shutdown: a connection accepted during shutdown is closed unread")
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Raises the shutdown flag as soon as graceful shutdown begins. Run it as the last service of
/// the group that holds the HTTP server: a service group stops its services last first, so the
/// flag is up before the server stops accepting.
struct ShutdownNoticeService: Service {
    let flag: QuiesceGuard.ShutdownFlag

    func run() async throws {
        try? await gracefulShutdown()
        flag.set()
    }
}
