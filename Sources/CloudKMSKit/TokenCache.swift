import NIOConcurrencyHelpers
import NIOCore

/// The access token of a cloud plugin: fetched on first use, cached, refreshed before it
/// expires, one fetch at a time (callers during a fetch wait for it). Never logs the token.
public final class TokenCache: @unchecked Sendable {
    private let lock = NIOLock()
    private var token: String?
    private var refreshAt: NIODeadline = .distantPast
    private var pending: EventLoopFuture<String>?
    private var fetchCount = 0

    public init() {}

    /// How many tokens were stored (for tests and diagnostics).
    public var fetches: Int { lock.withLock { fetchCount } }

    /// A valid token: the cached one, the one being fetched, or a new one from `fetch`, which
    /// hands its token to ``store(_:lifetime:maxMargin:)`` before its future succeeds.
    public func token(on eventLoop: EventLoop, fetch: @escaping (EventLoop) -> EventLoopFuture<String>) -> EventLoopFuture<String> {
        enum Step { case cached(String), wait(EventLoopFuture<String>), fetch(EventLoopPromise<String>) }
        let step = lock.withLock { () -> Step in
            if let token, NIODeadline.now() < refreshAt { return .cached(token) }
            if let pending { return .wait(pending) }
            let promise = eventLoop.makePromise(of: String.self)
            pending = promise.futureResult
            return .fetch(promise)
        }
        switch step {
        case .cached(let token): return eventLoop.makeSucceededFuture(token)
        case .wait(let future): return future.hop(to: eventLoop)
        case .fetch(let promise):
            // Outside the lock: the fetch may complete at once (and its completion takes the lock).
            fetch(eventLoop).whenComplete { result in
                self.lock.withLock { self.pending = nil }
                promise.completeWith(result)
            }
            return promise.futureResult
        }
    }

    /// Caches `token`, valid for `lifetime` seconds from now; it is refreshed a quarter of its
    /// lifetime, at most `maxMargin` seconds, before it expires.
    public func store(_ token: String, lifetime: Int64, maxMargin: Int64) {
        let lifetime = max(lifetime, 1)
        let refreshAt = NIODeadline.now() + .seconds(lifetime - min(lifetime / 4, maxMargin))
        lock.withLock {
            self.token = token
            self.refreshAt = refreshAt
            fetchCount += 1
        }
    }

    /// Drops `rejected` from the cache (the API answered 401 to it).
    public func invalidate(_ rejected: String) {
        lock.withLock { if token == rejected { token = nil; refreshAt = .distantPast } }
    }
}
