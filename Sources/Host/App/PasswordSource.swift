import Foundation

/// Resolves the password for an encrypted key in step-ca's order: `--password-file` (trailing
/// whitespace trimmed; an empty file still counts as given) > ca.json `password` > a prompt when
/// a terminal is attached.
struct PasswordSource: Sendable {
    var passwordFile: String?
    var configPassword: String?
    /// A password resolved earlier (at start-up), used instead of prompting again on reload.
    var remembered: Data?

    /// The password as bytes, or nil when none is configured and no terminal can be asked.
    func resolve(promptFor subject: String) throws -> Data? {
        if let passwordFile {
            return try Self.read(file: passwordFile)
        }
        if let configPassword {
            return Data(configPassword.utf8)
        }
        if let remembered { return remembered }
        guard Terminal.isInteractive else { return nil }
        guard let typed = Terminal.readSecret(prompt: "Please enter the password to decrypt \(subject): ") else {
            return nil
        }
        return Data(typed.utf8)
    }

    /// Reads a password file, trimming trailing whitespace and newlines as step does.
    static func read(file: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw StartupError(.password, "cannot read password file \(file)")
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0a || last == 0x0d { bytes.removeLast() }
        return Data(bytes)
    }
}
