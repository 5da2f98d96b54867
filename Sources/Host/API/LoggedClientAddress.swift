import Foundation
import Hummingbird

/// The `remote-address` of an access-log line, as step-ca chooses it: the connection's peer, or,
/// with `STEP_LOGGER_LOG_REAL_IP=true` (a CA behind a proxy), the first address named by
/// `True-Client-IP`, `X-Real-IP` or `X-Forwarded-For` (its first entry), in that order. A header
/// value that is not a plain IPv4 or IPv6 address is ignored and the peer is logged.
///
/// The headers only change what is logged: no access decision uses them, since any client can
/// send them.
struct LoggedClientAddress: Sendable {
    /// Whether the forwarding headers are believed (`STEP_LOGGER_LOG_REAL_IP`).
    let trustsForwardingHeaders: Bool

    init(trustsForwardingHeaders: Bool) {
        self.trustsForwardingHeaders = trustsForwardingHeaders
    }

    /// Reads `STEP_LOGGER_LOG_REAL_IP` as Go's `strconv.ParseBool` does (anything else is false).
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(trustsForwardingHeaders: goParseBool(environment["STEP_LOGGER_LOG_REAL_IP"]))
    }

    private typealias HeaderName = HTTPFields.Element.Name
    private static let trueClientIP = HeaderName("True-Client-IP")!
    private static let realIP = HeaderName("X-Real-IP")!
    private static let forwardedFor = HeaderName("X-Forwarded-For")!

    /// The address to log for a request with `headers` from `peer`.
    func address(headers: HTTPFields, peer: String) -> String {
        guard trustsForwardingHeaders else { return peer }
        let claimed: Substring
        if let value = Self.first(Self.trueClientIP, in: headers) {
            claimed = value
        } else if let value = Self.first(Self.realIP, in: headers) {
            claimed = value
        } else if let value = Self.first(Self.forwardedFor, in: headers) {
            claimed = value.prefix { $0 != "," }
        } else {
            return peer
        }
        return Self.isIPAddress(claimed) ? String(claimed) : peer
    }

    /// The first field named `name` when it is not empty (Go's `Header.Get`).
    private static func first(_ name: HeaderName, in headers: HTTPFields) -> Substring? {
        guard let value = headers[values: name].first, !value.isEmpty else { return nil }
        return Substring(value)
    }

    /// A plain IPv4 (no leading zeros) or IPv6 address, as Go's `net.ParseIP` accepts.
    static func isIPAddress(_ text: Substring) -> Bool {
        var buffer = in6_addr()
        let string = String(text)
        return inet_pton(AF_INET, string, &buffer) == 1 || inet_pton(AF_INET6, string, &buffer) == 1
    }
}

/// Go's `strconv.ParseBool` for an environment switch: `1`, `t`, `T`, `TRUE`, `true`, `True` are
/// true; everything else, including a missing variable, is false.
func goParseBool(_ value: String?) -> Bool {
    switch value {
    case "1", "t", "T", "TRUE", "true", "True": return true
    default: return false
    }
}
