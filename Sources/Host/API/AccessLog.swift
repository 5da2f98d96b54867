import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Per-request fields a handler adds to the access log (provisioner, serial, subject, …).
/// Never a token, a CSR, a key or a password.
final class RequestLogFields: @unchecked Sendable {
    private let lock = NIOLock()
    private var values: [(String, String)] = []
    var error: String? {
        get { lock.withLock { values.first { $0.0 == "error" }?.1 } }
        set { if let newValue { set("error", newValue) } }
    }

    func set(_ key: String, _ value: String) {
        lock.withLock {
            values.removeAll { $0.0 == key }
            values.append((key, value))
        }
    }

    var all: [(String, String)] { lock.withLock { values } }
}

/// One line per request, in step-ca's `text` (logrus) or `json` format; off without `logger`.
struct AccessLog: Sendable {
    enum Format: Sendable { case text, json, off }

    let format: Format
    let debug: Bool

    init(format: String?, debug: Bool = ProcessInfo.processInfo.environment["STEPDEBUG"] == "1") {
        switch format?.lowercased() {
        case nil: self.format = .off
        case "json": self.format = .json
        default: self.format = .text
        }
        self.debug = debug
    }

    func write(request: Request, response: Response, requestID: String, fields: RequestLogFields, duration: Duration,
               httpProtocol: String) {
        guard format != .off else { return }
        let status = response.status.code
        let level = status >= 500 ? "error" : status >= 400 ? "warning" : "info"
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        var entries: [(String, String)] = [
            ("duration", Self.goDuration(nanoseconds)),
            ("duration-ns", String(nanoseconds)),
            ("method", request.method.rawValue),
            ("name", "ca"),
            ("path", request.uri.path),
            ("protocol", httpProtocol),
            ("request-id", requestID),
            ("size", String(response.body.contentLength ?? 0)),
            ("status", String(status)),
            ("user-agent", request.headers[.userAgent] ?? ""),
        ]
        entries += fields.all
        entries.sort { $0.0 < $1.0 }
        entries.insert(contentsOf: [("time", Self.timestamp()), ("level", level)], at: 0)
        let line: String
        switch format {
        case .json:
            line = OrderedJSON.object(entries.map { ($0.0, .string($0.1)) }).compact()
        default:
            line = entries.map { "\($0.0)=\(Self.logfmt($0.1))" }.joined(separator: " ")
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Quotes a value the way logrus' text formatter does when it needs quoting.
    static func logfmt(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-._/@^+".unicodeScalars.contains($0)
        }
        return plain ? value : OrderedJSON.quote(value)
    }

    static func timestamp() -> String {
        UTCClock.iso8601(seconds: Int(Date().timeIntervalSince1970)) + "Z"
    }

    /// Go's `Duration.String` for sub-hour values (`85.877µs`, `2.453159ms`).
    static func goDuration(_ nanoseconds: Int64) -> String {
        if nanoseconds < 1_000 { return "\(nanoseconds)ns" }
        func trimmed(_ value: Double, _ unit: String) -> String {
            var text = String(format: "%.9f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text + unit
        }
        if nanoseconds < 1_000_000 { return trimmed(Double(nanoseconds) / 1_000, "µs") }
        if nanoseconds < 1_000_000_000 { return trimmed(Double(nanoseconds) / 1_000_000, "ms") }
        return trimmed(Double(nanoseconds) / 1_000_000_000, "s")
    }
}
