internal import PluginABI

/// An error a plugin reports to the host: an ABI status code and a human-readable message.
///
/// Throw it from a backend implementation; PluginKit turns it into the status the C call returns
/// and the text in the caller's error buffer.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    /// A stable status code, equal to the ABI's `STEPCA_E_*` value.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let invalidArgument = Code(rawValue: STEPCA_E_INVALID_ARG)
        public static let notFound = Code(rawValue: STEPCA_E_NOT_FOUND)
        public static let unsupported = Code(rawValue: STEPCA_E_UNSUPPORTED)
        public static let bufferTooSmall = Code(rawValue: STEPCA_E_BUFFER_TOO_SMALL)
        public static let auth = Code(rawValue: STEPCA_E_AUTH)
        public static let unavailable = Code(rawValue: STEPCA_E_UNAVAILABLE)
        public static let conflict = Code(rawValue: STEPCA_E_CONFLICT)
        public static let `internal` = Code(rawValue: STEPCA_E_INTERNAL)

        public var description: String {
            switch self {
            case .invalidArgument: return "invalid argument"
            case .notFound: return "not found"
            case .unsupported: return "unsupported"
            case .bufferTooSmall: return "buffer too small"
            case .auth: return "authentication failed"
            case .unavailable: return "unavailable"
            case .conflict: return "conflict"
            case .internal: return "internal error"
            default: return "plugin error \(rawValue)"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalidArgument(_ message: String) -> PluginError { .init(.invalidArgument, message) }
    public static func notFound(_ message: String) -> PluginError { .init(.notFound, message) }
    public static func unsupported(_ message: String) -> PluginError { .init(.unsupported, message) }
    public static func unavailable(_ message: String) -> PluginError { .init(.unavailable, message) }
    public static func conflict(_ message: String) -> PluginError { .init(.conflict, message) }
    public static func `internal`(_ message: String) -> PluginError { .init(.internal, message) }
}
