import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interaction with a terminal on standard input.
enum Terminal {
    /// Whether standard input and standard error are a terminal (prompts are possible).
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 }

    /// Prints `prompt` and reads a line with echo switched off. Returns nil at end of input.
    static func readSecret(prompt: String) -> String? {
        fputs(prompt, stderr)
        var original = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if haveTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
            fputs("\n", stderr)
        }
        return readLine(strippingNewline: true)
    }

    /// Prints `prompt` and reads a line with echo; an empty answer gives `defaultValue`.
    static func ask(_ prompt: String, default defaultValue: String? = nil) -> String? {
        if let defaultValue {
            fputs("\(prompt) [\(defaultValue)]: ", stderr)
        } else {
            fputs("\(prompt): ", stderr)
        }
        guard let answer = readLine(strippingNewline: true) else { return nil }
        let trimmed = answer.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? defaultValue : trimmed
    }
}
