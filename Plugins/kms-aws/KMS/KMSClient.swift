import AsyncHTTPClient
import Dispatch
import FoundationEssentials
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// Calls of the AWS KMS JSON 1.1 API (`POST /`, `X-Amz-Target: TrentService.<Op>`), signed with
/// SigV4, with a deadline per attempt and retries with exponential back-off on throttling, 5xx
/// and transport errors. Every call returns a future; nothing here blocks.
public final class KMSClient: @unchecked Sendable {
    public let settings: AWSKMSSettings
    private let http: HTTPClient
    private let url: String
    private let hostHeader: String
    /// Deadline of one attempt.
    public var attemptTimeout: TimeAmount = .seconds(20)
    /// Attempts per call (1 + retries).
    public var maxAttempts = 5
    /// Back-off before the first retry; doubled each time, with jitter.
    public var baseDelay: TimeAmount = .milliseconds(100)

    public init(settings: AWSKMSSettings) throws {
        guard let parsed = URL(string: settings.endpoint), let scheme = parsed.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = parsed.host, !host.isEmpty else {
            throw AWSKMSError.configuration("endpoint \"\(settings.endpoint)\" is not an http(s) URL")
        }
        self.settings = settings
        var path = parsed.path
        if path.isEmpty { path = "/" }
        let bracketed = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        if let port = parsed.port, port != defaultPort {
            hostHeader = "\(bracketed):\(port)"
        } else {
            hostHeader = bracketed
        }
        url = "\(scheme)://\(hostHeader)\(path)"

        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        for file in settings.trustRootFiles {
            do {
                roots += try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw AWSKMSError.configuration("cannot read the trust roots in \(file): \(error)")
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

    /// Releases the connections without waiting: never blocks, so it is safe on any thread
    /// (an event loop or a task included). The client stays alive until its shutdown is done.
    public func shutdown() {
        let http = self.http
        http.shutdown(queue: .global()) { _ in withExtendedLifetime(http) {} }
    }

    /// Calls operation `operation` with a JSON body; `target` names the key in error messages.
    public func call<Request: Encodable, Response: Decodable>(
        _ operation: String, target: String, _ request: Request, as: Response.Type
    ) -> EventLoopFuture<Response> {
        let eventLoop = http.eventLoopGroup.next()
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            return eventLoop.makeFailedFuture(AWSKMSError.configuration("cannot encode \(operation): \(error)"))
        }
        return attempt(operation, target: target, body: body, number: 1, on: eventLoop).flatMapThrowing { data in
            // operations without a result (CreateAlias) answer with an empty body (or "null")
            if let empty = KMSAPI.Empty() as? Response { return empty }
            do {
                return try JSONDecoder().decode(Response.self, from: data)
            } catch {
                throw AWSKMSError.service(operation: operation, target: target, status: 200, type: "InvalidResponse",
                                          message: "cannot decode the answer: \(error)")
            }
        }
    }

    private func attempt(_ operation: String, target: String, body: [UInt8], number: Int,
                         on eventLoop: EventLoop) -> EventLoopFuture<Data> {
        let request: HTTPClient.Request
        do {
            request = try signedRequest(operation, body: body)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let deadline = NIODeadline.now() + attemptTimeout
        return http.execute(request: request, eventLoop: .delegate(on: eventLoop), deadline: deadline)
            .flatMapErrorThrowing { error in
                throw AWSKMSError.transport(operation: operation, target: target, attempts: number,
                                            underlying: String(describing: error))
            }
            .flatMapThrowing { response -> Data in
                let data = response.body.map { Data(buffer: $0) } ?? Data()
                guard (200..<300).contains(Int(response.status.code)) else {
                    let (type, message) = Self.parseError(data)
                    throw AWSKMSError.service(operation: operation, target: target, status: Int(response.status.code),
                                              type: type ?? response.status.reasonPhrase, message: message ?? "")
                }
                return data
            }
            .flatMapError { error -> EventLoopFuture<Data> in
                guard let failure = error as? AWSKMSError, failure.isRetryable, number < self.maxAttempts else {
                    return eventLoop.makeFailedFuture(error)
                }
                let shift = Int64(min(number - 1, 6))
                let base = self.baseDelay.nanoseconds << shift
                let delay = TimeAmount.nanoseconds(base / 2 + Int64.random(in: 0...max(base / 2, 1)))
                return eventLoop.flatScheduleTask(in: delay) {
                    self.attempt(operation, target: target, body: body, number: number + 1, on: eventLoop)
                }.futureResult
            }
    }

    private func signedRequest(_ operation: String, body: [UInt8]) throws -> HTTPClient.Request {
        let amzDate = SigV4Signer.amzDate(Date())
        var signed: [(String, String)] = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Host", hostHeader),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Target", "TrentService.\(operation)"),
        ]
        if let token = settings.credentials.sessionToken { signed.append(("X-Amz-Security-Token", token)) }
        let signer = SigV4Signer(credentials: settings.credentials, region: settings.region, service: "kms")
        let signature = signer.sign(method: "POST", path: URL(string: url)?.path.nonEmpty ?? "/",
                                    headers: signed, payloadSHA256: SigV4Signer.sha256Hex(body), amzDate: amzDate)
        var headers = HTTPHeaders(signed)
        headers.add(name: "Authorization", value: signature.authorization)
        return try HTTPClient.Request(url: url, method: .POST, headers: headers, body: .bytes(body))
    }

    /// `__type` and message of an error answer: KMS's JSON (`{"__type": "...#Name", "message": ...}`)
    /// or the XML `<ErrorResponse>` some front ends send.
    static func parseError(_ data: Data) -> (String?, String?) {
        struct JSONError: Decodable {
            var __type: String?
            var message: String?
            var Message: String?
        }
        if let error = try? JSONDecoder().decode(JSONError.self, from: data), error.__type != nil || error.message != nil || error.Message != nil {
            let type = error.__type.map { String($0.split(separator: "#").last ?? Substring($0)) }
            return (type, error.message ?? error.Message)
        }
        let text = String(decoding: data, as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.firstRange(of: "<\(name)>"), let close = text.firstRange(of: "</\(name)>"),
                  open.upperBound <= close.lowerBound else { return nil }
            return String(text[open.upperBound..<close.lowerBound])
        }
        return (element("Code"), element("Message"))
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
