import FoundationEssentials
import NIOCore
import NIOHTTP1

/// An HTTP answer of a cloud API: status, reason phrase, headers and body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, reason: String = "", headers: HTTPHeaders = HTTPHeaders(), body: Data) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The delay the server asks for before a retry: `retry-after-ms`, `x-ms-retry-after-ms`
    /// (milliseconds) or `Retry-After` (seconds; an HTTP date is ignored), at most `limit`.
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
