import FoundationEssentials

/// An HTTP answer of a cloud API: status, reason phrase and body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var reason: String
    public var body: Data

    public init(status: Int, reason: String = "", body: Data) {
        self.status = status
        self.reason = reason
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
