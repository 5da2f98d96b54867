import PluginKit

/// Receives the server's notices and warnings (libpq would print them to stderr) and sends them
/// to the host's log: NOTICE and below at debug level ("relation already exists, skipping" on
/// every start), WARNING at warning level, and the FATAL message a server sends to idle
/// sessions when it shuts down at info level.
final class NoticeLog: @unchecked Sendable {
    private let host: PluginHost

    init(host: PluginHost) { self.host = host }

    func receive(severity: String, message: String) {
        let level: PluginHost.Level
        switch severity {
        case "WARNING": level = .warning
        case "FATAL", "PANIC": level = .info
        default: level = .debug
        }
        host.log(level, "postgresql: server \(message)")
    }
}
