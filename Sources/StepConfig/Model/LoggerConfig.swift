/// The top-level `logger` object.
public struct LoggerConfig: Sendable, Equatable {
    /// Line format of the request log.
    public enum Format: String, Sendable, CaseIterable {
        /// logrus text lines (also used for `""`).
        case text
        /// logrus JSON objects.
        case json
        /// Apache common log format.
        case common
    }

    /// Line format; `format` is matched ignoring case, `""` means text.
    public var format: Format
    /// Request header whose value becomes the request id.
    public var traceHeader: String?

    /// Makes logger settings.
    public init(format: Format = .text, traceHeader: String? = nil) {
        self.format = format
        self.traceHeader = traceHeader
    }
}
