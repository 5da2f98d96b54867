/// A reason the CA cannot start, with a stable code. The message names the file, JSON path or
/// plugin involved and says what to do.
struct StartupError: Error, CustomStringConvertible, Sendable {
    struct Code: Hashable, Sendable {
        let rawValue: String
        static let config = Code(rawValue: "config")
        static let unsupportedDatabase = Code(rawValue: "unsupported-database")
        static let database = Code(rawValue: "database")
        static let plugin = Code(rawValue: "plugin")
        static let certificate = Code(rawValue: "certificate")
        static let key = Code(rawValue: "key")
        static let password = Code(rawValue: "password")
        static let listen = Code(rawValue: "listen")
        static let usage = Code(rawValue: "usage")
        static let exists = Code(rawValue: "exists")
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
