import AsyncHTTPClient
import Dispatch
import FoundationEssentials
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// An HTTP answer: status and body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: Data
}

/// HTTPS through AsyncHTTPClient with the configured extra trust roots, a deadline per attempt,
/// and retries with exponential back-off and jitter. Every call returns a future; nothing blocks.
public final class HTTPTransport: @unchecked Sendable {
    let http: HTTPClient
    /// Deadline of one attempt.
    public var attemptTimeout: TimeAmount = .seconds(20)
    /// Attempts per call (1 + retries).
    public var maxAttempts = 5
    /// Back-off before the first retry; doubled each time, with jitter.
    public var baseDelay: TimeAmount = .milliseconds(100)

    public init(trustRootFiles: [String]) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        for file in trustRootFiles {
            do {
                roots += try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw GCPKMSError.configuration("cannot read the trust roots in \(file): \(error)")
            }
        }
        if !roots.isEmpty { tls.additionalTrustRoots = [.certificates(roots)] }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        // A connection that cannot be made (refused, TLS handshake failed) fails the attempt at
        // once; the retries with back-off are ours. Otherwise the pool retries silently until the
        // connect time-out, and a wrong endpoint or CA costs every attempt the full 10 seconds.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The next event loop of the client.
    public var eventLoop: EventLoop { http.eventLoopGroup.next() }

    /// Releases the connections without waiting: never blocks, so it is safe on any thread
    /// (an event loop or a task included). The client stays alive until its shutdown is done.
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
        makeRequest(number).flatMap { request in
            self.http.execute(request: request, eventLoop: .delegate(on: eventLoop),
                              deadline: NIODeadline.now() + self.attemptTimeout)
                .flatMapErrorThrowing { error in
                    throw GCPKMSError.transport(operation: operation, target: target, attempts: number,
                                                underlying: String(describing: error))
                }
        }
        .flatMapThrowing { response in
            let body = response.body.map { Data(buffer: $0) } ?? Data()
            return try check(HTTPAnswer(status: Int(response.status.code), body: body), number)
        }
        .flatMapError { error -> EventLoopFuture<T> in
            guard number < self.maxAttempts, retryable(error, number) else {
                return eventLoop.makeFailedFuture(error)
            }
            let base = self.baseDelay.nanoseconds << Int64(min(number - 1, 6))
            let delay = TimeAmount.nanoseconds(base / 2 + Int64.random(in: 0...max(base / 2, 1)))
            return eventLoop.flatScheduleTask(in: delay) {
                self.perform(on: eventLoop, operation: operation, target: target, makeRequest: makeRequest,
                             check: check, retryable: retryable, attempt: number + 1)
            }.futureResult
        }
    }
}
