/// A failure reported by a plugin call: the plugin's status and message, with the plugin named.
struct PluginCallError: Error, CustomStringConvertible, Sendable {
    /// ABI status codes (`STEPCA_E_*`).
    struct Status: Hashable, Sendable, CustomStringConvertible {
        let rawValue: Int32
        static let invalidArgument = Status(rawValue: 1)
        static let notFound = Status(rawValue: 2)
        static let unsupported = Status(rawValue: 3)
        static let bufferTooSmall = Status(rawValue: 4)
        static let auth = Status(rawValue: 5)
        static let unavailable = Status(rawValue: 6)
        static let conflict = Status(rawValue: 7)
        static let `internal` = Status(rawValue: 8)

        var description: String {
            switch self {
            case .invalidArgument: return "STEPCA_E_INVALID_ARG"
            case .notFound: return "STEPCA_E_NOT_FOUND"
            case .unsupported: return "STEPCA_E_UNSUPPORTED"
            case .bufferTooSmall: return "STEPCA_E_BUFFER_TOO_SMALL"
            case .auth: return "STEPCA_E_AUTH"
            case .unavailable: return "STEPCA_E_UNAVAILABLE"
            case .conflict: return "STEPCA_E_CONFLICT"
            case .internal: return "STEPCA_E_INTERNAL"
            default: return "vendor status \(rawValue)"
            }
        }
    }

    let plugin: String
    let operation: String
    let status: Status
    let message: String

    var description: String { "\(plugin) plugin: \(operation): \(message)" }
}
