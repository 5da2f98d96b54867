import Foundation

/// Start-up and shutdown lines in Go's standard log format (`2006/01/02 15:04:05 message`),
/// the format step-ca prints them in. Written to standard error; `--quiet` silences them.
enum ConsoleLog {
    nonisolated(unsafe) static var quiet = false

    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy/MM/dd HH:mm:ss"
        return formatter
    }()

    /// Prints one line unless quiet.
    static func line(_ message: String) {
        guard !quiet else { return }
        write("\(formatter.string(from: Date())) \(message)\n")
    }

    /// Prints a warning line, even when quiet.
    static func warning(_ message: String) {
        write("warning: \(message)\n")
    }

    /// Prints a fatal error line, even when quiet.
    static func error(_ message: String) {
        write("error: \(message)\n")
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
