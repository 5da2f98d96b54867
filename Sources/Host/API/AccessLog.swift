import Foundation
import Hummingbird
import NamePolicy
import NIOConcurrencyHelpers
import StepConfig

/// Per-request fields a handler adds to the access log (provisioner, serial, subject, …).
/// Never a token, a CSR, a key or a password.
final class RequestLogFields: @unchecked Sendable {
    private let lock = NIOLock()
    private var values: [(String, String)] = []
    /// Whether the fields will be written: without an access log, setting one computes nothing.
    let isRecording: Bool

    init(recording: Bool = true) {
        isRecording = recording
    }

    var error: String? {
        get { lock.withLock { values.first { $0.0 == "error" }?.1 } }
        set { if let newValue { set("error", newValue) } }
    }

    func set(_ key: String, _ value: @autoclosure () -> String) {
        guard isRecording else { return }
        let value = value()
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

    /// What one request's line says.
    struct Entry {
        var time: String
        var status: Int
        var durationNanoseconds: Int64
        var method: String
        var path: String
        var httpProtocol: String
        var requestID: String
        var size: Int
        var userAgent: String
        var referer: String
        var remoteAddress: String
        var fields: [(String, String)]
    }

    let format: Format
    let debug: Bool
    /// Which address `remote-address` shows (`STEP_LOGGER_LOG_REAL_IP`).
    let clientAddress: LoggedClientAddress
    /// Successful requests for exactly `/health` are logged at trace level, which step-ca's
    /// logger never prints (`STEP_LOGGER_ONLY_TRACE_HEALTH_ENDPOINT`): no line for them.
    let onlyTraceHealthEndpoint: Bool

    init(format: String?, debug: Bool = ProcessInfo.processInfo.environment["STEPDEBUG"] == "1",
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        switch format?.lowercased() {
        case nil: self.format = .off
        case "json": self.format = .json
        default: self.format = .text
        }
        self.debug = debug
        self.clientAddress = LoggedClientAddress(environment: environment)
        self.onlyTraceHealthEndpoint = goParseBool(environment["STEP_LOGGER_ONLY_TRACE_HEALTH_ENDPOINT"])
    }

    func write(request: Request, response: Response, requestID: String, fields: RequestLogFields, duration: Duration,
               httpProtocol: @autoclosure () -> String, remoteAddress: @autoclosure () -> String) {
        guard format != .off,
              let entry = entry(request: request, response: response, requestID: requestID, fields: fields, duration: duration,
                                httpProtocol: httpProtocol(), peer: remoteAddress())
        else { return }
        FileHandle.standardError.write(Data((line(entry) + "\n").utf8))
    }

    /// What the line for this request says, or nil when the request is not logged.
    func entry(request: Request, response: Response, requestID: String, fields: RequestLogFields, duration: Duration,
               httpProtocol: String, peer: String) -> Entry? {
        // step-ca logs the request target as received (Go's `RequestURI`), query included.
        let target = request.uri.string
        if onlyTraceHealthEndpoint && target == "/health" && response.status.code < 400 { return nil }
        return Entry(
            time: Self.timestamp(), status: Int(response.status.code),
            durationNanoseconds: duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000,
            method: request.method.rawValue, path: target, httpProtocol: httpProtocol, requestID: requestID,
            size: response.body.contentLength ?? 0, userAgent: request.headers[.userAgent] ?? "",
            referer: request.headers[.referer] ?? "",
            remoteAddress: clientAddress.address(headers: request.headers, peer: peer), fields: fields.all)
    }

    /// The line for `entry`, without its newline. logrus sorts the fields by name after `time` and
    /// `level` in text, and Go sorts every key in JSON; a field named `time` becomes `fields.time`.
    func line(_ entry: Entry) -> String {
        let level = entry.status >= 500 ? "error" : entry.status >= 400 ? "warning" : "info"
        var fields: [(String, String)] = [
            ("duration", Self.goDuration(entry.durationNanoseconds)),
            ("duration-ns", String(entry.durationNanoseconds)),
            ("fields.time", entry.time),
            ("method", entry.method),
            ("name", "ca"),
            ("path", entry.path),
            ("protocol", entry.httpProtocol),
            ("referer", entry.referer),
            ("remote-address", entry.remoteAddress),
            ("request-id", entry.requestID),
            ("size", String(entry.size)),
            ("status", String(entry.status)),
            ("user-agent", entry.userAgent),
            ("user-id", ""),
        ]
        fields += entry.fields
        switch format {
        case .json:
            fields += [("level", level), ("msg", ""), ("time", entry.time)]
            fields.sort { $0.0 < $1.0 }
            return OrderedJSON.object(fields.map { ($0.0, .string($0.1)) }).compact()
        default:
            fields.sort { $0.0 < $1.0 }
            var line = "time=\(Self.logfmt(entry.time)) level=\(level)"
            for (key, value) in fields {
                line += " "
                line += key
                line += "="
                line += Self.logfmt(value)
            }
            return line
        }
    }

    /// A value as logrus' text formatter writes it: as is when every byte is an ASCII letter or
    /// digit or one of `-._/@^+` (an empty value too), else quoted as Go's `%q` does.
    static func logfmt(_ value: String) -> String {
        let plain = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: "@"),
                 UInt8(ascii: "^"), UInt8(ascii: "+"):
                return true
            default:
                return false
            }
        }
        return plain ? value : GoQuote.quote(value)
    }

    static func timestamp() -> String {
        UTCClock.iso8601(seconds: Int(Date().timeIntervalSince1970)) + "Z"
    }

    /// Go's `Duration.String`: `0s`, `850ns`, `85.877µs`, `2.453159ms`, `1.5s`, `1m15.5s`, `2h0m0s`.
    static func goDuration(_ nanoseconds: Int64) -> String {
        GoDuration(nanoseconds: nanoseconds).description
    }
}
