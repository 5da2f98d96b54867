import AsyncHTTPClient
import CloudKMSKit
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// Calls of the AWS KMS JSON 1.1 API (`POST /`, `X-Amz-Target: TrentService.<Op>`), signed with
/// SigV4, with a deadline per attempt and retries with exponential back-off on throttling, 5xx
/// and transport errors. Every call returns a future; nothing here blocks.
public final class KMSClient: @unchecked Sendable {
    public let settings: AWSKMSSettings
    private let transport: CloudHTTPClient
    private let url: String
    private let hostHeader: String
    /// Deadline of one attempt.
    public var attemptTimeout: TimeAmount {
        get { transport.policy.attemptTimeout }
        set { transport.policy.attemptTimeout = newValue }
    }
    /// Attempts per call (1 + retries).
    public var maxAttempts: Int {
        get { transport.policy.maxAttempts }
        set { transport.policy.maxAttempts = newValue }
    }
    /// Back-off before the first retry; doubled each time, with jitter.
    public var baseDelay: TimeAmount {
        get { transport.policy.baseDelay }
        set { transport.policy.baseDelay = newValue }
    }

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

        do {
            transport = try CloudHTTPClient(trustRootFiles: settings.trustRootFiles)
        } catch let error as TrustRootError {
            throw AWSKMSError.configuration("cannot read the trust roots in \(error.file): \(error.detail)")
        }
    }

    /// Releases the connections without waiting (safe on any thread).
    public func shutdown() { transport.shutdown() }

    /// Calls operation `operation` with a JSON body; `target` names the key in error messages.
    public func call<Request: Encodable, Response: Decodable>(
        _ operation: String, target: String, _ request: Request, as: Response.Type
    ) -> EventLoopFuture<Response> {
        let eventLoop = transport.eventLoop
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            return eventLoop.makeFailedFuture(AWSKMSError.configuration("cannot encode \(operation): \(error)"))
        }
        return transport.perform(
            on: eventLoop,
            makeRequest: { _ in
                do {
                    return eventLoop.makeSucceededFuture(try self.signedRequest(operation, body: body))
                } catch {
                    return eventLoop.makeFailedFuture(error)
                }
            },
            check: { answer, _ -> Data in
                guard answer.isSuccess else {
                    let (type, message) = Self.parseError(answer.body)
                    throw AWSKMSError.service(operation: operation, target: target, status: answer.status,
                                              type: type ?? answer.reason, message: message ?? "")
                }
                return answer.body
            },
            retryable: { error, _ in (error as? AWSKMSError)?.isRetryable ?? false },
            transportError: { attempts, underlying in
                AWSKMSError.transport(operation: operation, target: target, attempts: attempts, underlying: underlying)
            }
        ).flatMapThrowing { data in
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
