import AsyncHTTPClient
import Dispatch
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// An HTTP answer: status, headers and body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    /// The delay the server asks for before a retry: `retry-after-ms`, `x-ms-retry-after-ms`
    /// (milliseconds) or `Retry-After` (seconds), at most `limit`.
    public func retryAfter(limit: TimeAmount) -> TimeAmount? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let text = headers.first(name: name), let value = Int64(Self.trimmed(text)), value >= 0 {
                return min(.milliseconds(value), limit)
            }
        }
        if let text = headers.first(name: "Retry-After"), let value = Int64(Self.trimmed(text)), value >= 0 {
            return min(.seconds(value), limit)
        }
        return nil
    }

    static func trimmed(_ text: String) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// HTTPS through AsyncHTTPClient with the configured extra trust roots, a deadline per attempt,
/// and retries with exponential back-off and jitter (or the server's Retry-After). Every call
/// returns a future; nothing here blocks a thread. (Written after kms-gcp's transport, with
/// Retry-After and a non-blocking shutdown added.)
public final class HTTPTransport: @unchecked Sendable {
    let http: HTTPClient
    /// Deadline of one attempt.
    public var attemptTimeout: TimeAmount = .seconds(20)
    /// Attempts per call (1 + retries).
    public var maxAttempts = 5
    /// Back-off before the first retry; doubled each time, with jitter.
    public var baseDelay: TimeAmount = .milliseconds(100)
    /// The longest Retry-After honoured.
    public var maxRetryAfter: TimeAmount = .seconds(30)

    public init(trustRootFiles: [String]) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        for file in trustRootFiles {
            do {
                roots += try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw AzureKMSError.configuration("cannot read the trust roots in \(file): \(error)")
            }
        }
        if !roots.isEmpty { tls.additionalTrustRoots = [.certificates(roots)] }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        // A connection that cannot be made (refused, TLS handshake failed) fails the attempt at
        // once and the retries with back-off are ours; otherwise the pool retries silently until
        // the connect time-out on every attempt.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The next event loop of the client.
    public var eventLoop: EventLoop { http.eventLoopGroup.next() }

    /// Starts releasing the connections and returns at once (never waits on the caller's thread,
    /// so it is safe on any thread); the client stays alive until its shutdown is done.
    public func shutdown() {
        let http = self.http
        http.shutdown(queue: .global()) { _ in withExtendedLifetime(http) {} }
    }

    /// One request, retried while `retryable` says so. `makeRequest` is called for every attempt
    /// (so it can attach a fresh token); `check` turns an answer into a value or an error.
    public func perform<T>(on eventLoop: EventLoop, operation: String, target: String,
                           makeRequest: @escaping (Int) -> EventLoopFuture<HTTPClient.Request>,
                           check: @escaping (HTTPAnswer, Int) throws -> T,
                           retryable: @escaping (Error, Int) -> Bool,
                           attempt number: Int = 1) -> EventLoopFuture<T> {
        let serverDelay = NIOLockedValueBox<TimeAmount?>(nil)
        return makeRequest(number).flatMap { request in
            self.http.execute(request: request, eventLoop: .delegate(on: eventLoop),
                              deadline: NIODeadline.now() + self.attemptTimeout)
                .flatMapErrorThrowing { error in
                    let text = String(describing: error)
                    if error is NIOSSLError || text.contains("handshakeFailed") || text.contains("CERTIFICATE_VERIFY_FAILED") {
                        throw AzureKMSError.tls(operation: operation, target: target, underlying: text)
                    }
                    throw AzureKMSError.transport(operation: operation, target: target, attempts: number, underlying: text)
                }
        }
        .flatMapThrowing { response in
            let answer = HTTPAnswer(status: Int(response.status.code), headers: response.headers,
                                    body: response.body.map { Data(buffer: $0) } ?? Data())
            serverDelay.withLockedValue { $0 = answer.retryAfter(limit: self.maxRetryAfter) }
            return try check(answer, number)
        }
        .flatMapError { error -> EventLoopFuture<T> in
            guard number < self.maxAttempts, retryable(error, number) else {
                return eventLoop.makeFailedFuture(error)
            }
            let base = self.baseDelay.nanoseconds << Int64(min(number - 1, 6))
            let delay = serverDelay.withLockedValue { $0 } ?? TimeAmount.nanoseconds(base / 2 + Int64.random(in: 0...max(base / 2, 1)))
            return eventLoop.flatScheduleTask(in: delay) {
                self.perform(on: eventLoop, operation: operation, target: target, makeRequest: makeRequest,
                             check: check, retryable: retryable, attempt: number + 1)
            }.futureResult
        }
    }
}
