internal import PluginABI

/// A failure reported by a key-management plugin: a stable code, the operation, and the plugin's
/// own message (which names the key or URI, never a PIN).
struct KMSError: Error, CustomStringConvertible, Sendable {
    /// Stable codes, one per ABI status (`STEPCA_E_*`).
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        static let invalidArgument = Code(rawValue: "kms-invalid-argument")
        static let notFound = Code(rawValue: "kms-not-found")
        static let unsupported = Code(rawValue: "kms-unsupported")
        static let auth = Code(rawValue: "kms-auth")
        static let unavailable = Code(rawValue: "kms-unavailable")
        static let conflict = Code(rawValue: "kms-conflict")
        static let `internal` = Code(rawValue: "kms-internal")

        var description: String { rawValue }

        /// The code for an ABI status.
        init(status: Int32) {
            switch status {
            case STEPCA_E_INVALID_ARG: self = .invalidArgument
            case STEPCA_E_NOT_FOUND: self = .notFound
            case STEPCA_E_UNSUPPORTED: self = .unsupported
            case STEPCA_E_AUTH: self = .auth
            case STEPCA_E_UNAVAILABLE: self = .unavailable
            case STEPCA_E_CONFLICT: self = .conflict
            default: self = .internal
            }
        }

        init(rawValue: String) { self.rawValue = rawValue }
    }

    let code: Code
    /// The plugin's name (`pkcs11`).
    let plugin: String
    /// What the host asked for: "sign", "get public key", ...
    let operation: String
    /// The plugin's message, unchanged.
    let pluginMessage: String

    /// `<plugin> plugin: <operation>: <plugin message>`.
    var message: String { "\(plugin) plugin: \(operation): \(pluginMessage)" }
    var description: String { message }

    init(code: Code, plugin: String, operation: String, pluginMessage: String) {
        self.code = code
        self.plugin = plugin
        self.operation = operation
        self.pluginMessage = pluginMessage
    }

    /// The error for a failed call, from its status and error buffer.
    init(plugin: String, operation: String, status: Int32, message: String) {
        self.init(code: Code(status: status), plugin: plugin, operation: operation,
                  pluginMessage: message.isEmpty ? "failed with status \(status) and no message" : message)
    }
}
