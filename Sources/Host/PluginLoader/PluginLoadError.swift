/// Why a plugin could not be loaded. Each message names the type, the file looked for, the
/// directories searched and what to do about it.
struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    struct Code: Hashable, Sendable {
        let rawValue: String
        static let missing = Code(rawValue: "plugin-missing")
        static let loadFailed = Code(rawValue: "plugin-load-failed")
        static let notAPlugin = Code(rawValue: "plugin-no-entry")
        static let abiMismatch = Code(rawValue: "plugin-abi-mismatch")
        static let wrongKind = Code(rawValue: "plugin-wrong-kind")
        static let typeNotServed = Code(rawValue: "plugin-type-not-served")
        static let badDescriptor = Code(rawValue: "plugin-bad-descriptor")
    }

    let code: Code
    let message: String

    var description: String { message }
}
