import NIOCore

/// How a cloud KMS call is attempted: a deadline per attempt, how many attempts, and the
/// back-off between them (exponential with jitter).
public struct RetryPolicy: Sendable {
    /// Deadline of one attempt.
    public var attemptTimeout: TimeAmount = .seconds(20)
    /// Attempts per call (1 + retries).
    public var maxAttempts = 5
    /// Back-off before the first retry; doubled for each further one (at most 64 times), half of it jitter.
    public var baseDelay: TimeAmount = .milliseconds(100)
    /// The longest server-requested delay (``HTTPAnswer/retryAfter(limit:)``) honoured instead
    /// of the back-off; nil (the default) ignores Retry-After.
    public var maxRetryAfter: TimeAmount? = nil

    public init() {}

    /// The pause after failed attempt `number` (1-based) before the next one.
    public func delay(afterAttempt number: Int) -> TimeAmount {
        let base = baseDelay.nanoseconds << Int64(min(max(number - 1, 0), 6))
        return .nanoseconds(base / 2 + Int64.random(in: 0...max(base / 2, 1)))
    }
}
