import AsyncHTTPClient
import Dispatch
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// HTTPS to a cloud API through AsyncHTTPClient: the configured trust roots, a deadline per
/// attempt, retries with back-off (``RetryPolicy``). Every call returns a future; nothing here
/// blocks, shutdown included.
public final class CloudHTTPClient: @unchecked Sendable {
    let http: HTTPClient
    /// Deadlines, attempts and back-off; set before the first call.
    public var policy = RetryPolicy()

    /// A client trusting the system's roots and the PEM certificates in `trustRootFiles`;
    /// `connectTimeout` bounds the making of one connection.
    public init(trustRootFiles: [String], connectTimeout: TimeAmount = .seconds(10)) throws {
        var configuration = HTTPClient.Configuration(tlsConfiguration: try TrustRoots.clientConfiguration(adding: trustRootFiles))
        configuration.timeout = .init(connect: connectTimeout, read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        // A connection that cannot be made (refused, TLS handshake failed) fails the attempt at
        // once; the retries with back-off are ours. Otherwise the pool retries silently until the
        // connect time-out, and a wrong endpoint or CA costs every attempt the full 10 seconds.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The next event loop of the client.
    public var eventLoop: EventLoop { http.eventLoopGroup.next() }

    /// Releases the connections without waiting: safe on any thread, an event loop or a task
    /// included. The client stays alive until its shutdown is done.
    public func shutdown() {
        let http = self.http
        http.shutdown(queue: .global()) { _ in withExtendedLifetime(http) {} }
    }

    /// One request, retried while `retryable` says so. `makeRequest` is called for every attempt
    /// (a fresh signature or token); `check` turns an answer into a value or an error;
    /// `transportError` names a failure without an answer (attempt number, description).
    public func perform<T>(on eventLoop: EventLoop,
                           makeRequest: @escaping (Int) -> EventLoopFuture<HTTPClient.Request>,
                           check: @escaping (HTTPAnswer, Int) throws -> T,
                           retryable: @escaping (Error, Int) -> Bool,
                           transportError: @escaping (Int, String) -> Error) -> EventLoopFuture<T> {
        perform(on: eventLoop, makeRequest: makeRequest, check: check, retryable: retryable,
                transportFailure: { number, error in transportError(number, String(describing: error)) })
    }

    /// ``perform(on:makeRequest:check:retryable:transportError:)`` with the failure itself
    /// handed to `transportFailure` (to tell a TLS handshake failure, ``isTLSFailure(_:)``, from
    /// a lost connection). When ``RetryPolicy/maxRetryAfter`` is set, a retry after an answer
    /// waits for the delay the server asked for, if any, instead of the back-off.
    public func perform<T>(on eventLoop: EventLoop,
                           makeRequest: @escaping (Int) -> EventLoopFuture<HTTPClient.Request>,
                           check: @escaping (HTTPAnswer, Int) throws -> T,
                           retryable: @escaping (Error, Int) -> Bool,
                           transportFailure: @escaping (Int, Error) -> Error) -> EventLoopFuture<T> {
        let serverDelay = NIOLockedValueBox<TimeAmount?>(nil)
        return retrying(on: eventLoop, attempt: 1, retryable: retryable, serverDelay: serverDelay) { number in
            makeRequest(number).flatMap { request in
                self.http.execute(request: request, eventLoop: .delegate(on: eventLoop),
                                  deadline: NIODeadline.now() + self.policy.attemptTimeout)
                    .flatMapErrorThrowing { error in throw transportFailure(number, error) }
            }
            .flatMapThrowing { response in
                let body = response.body.map { Data(buffer: $0) } ?? Data()
                let answer = HTTPAnswer(status: Int(response.status.code), reason: response.status.reasonPhrase,
                                        headers: response.headers, body: body)
                if let limit = self.policy.maxRetryAfter {
                    serverDelay.withLockedValue { $0 = answer.retryAfter(limit: limit) }
                }
                return try check(answer, number)
            }
        }
    }

    /// Whether a transport failure is a failed TLS handshake (an untrusted or wrong
    /// certificate), which a retry does not mend.
    public static func isTLSFailure(_ error: Error) -> Bool {
        let text = String(describing: error)
        return error is NIOSSLError || text.contains("handshakeFailed") || text.contains("CERTIFICATE_VERIFY_FAILED")
    }

    private func retrying<T>(on eventLoop: EventLoop, attempt number: Int, retryable: @escaping (Error, Int) -> Bool,
                             serverDelay: NIOLockedValueBox<TimeAmount?>,
                             _ body: @escaping (Int) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        serverDelay.withLockedValue { $0 = nil }
        return body(number).flatMapError { error -> EventLoopFuture<T> in
            guard number < self.policy.maxAttempts, retryable(error, number) else {
                return eventLoop.makeFailedFuture(error)
            }
            let delay = serverDelay.withLockedValue { $0 } ?? self.policy.delay(afterAttempt: number)
            return eventLoop.flatScheduleTask(in: delay) {
                self.retrying(on: eventLoop, attempt: number + 1, retryable: retryable, serverDelay: serverDelay, body)
            }.futureResult
        }
    }
}
