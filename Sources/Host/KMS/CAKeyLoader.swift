import Foundation
import StepCrypto
import StepConfig

/// Loads the CA's signing key from a PEM file (the built-in soft KMS), asking for the password
/// only when the file is encrypted.
enum CAKeyLoader {
    /// Reads `path` and returns its private key. Errors name the file and say whether the
    /// password was wrong or the file malformed.
    static func load(path: String, passwords: RecordingPasswordSource, purpose: String) throws -> PrivateKeyMaterial {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(.key, "cannot read the \(purpose) key file \(path)")
        }
        let encrypted: Bool
        do {
            encrypted = try PrivateKeyFile.isEncrypted(pem: String(decoding: data, as: UTF8.self))
        } catch {
            throw StartupError(.key, "\(path): \(describe(error))")
        }
        var password: Data?
        if encrypted {
            password = try passwords.resolve(promptFor: path)
            guard password != nil else {
                throw StartupError(.password, "\(path) is encrypted: pass --password-file FILE, set \"password\" in ca.json, or start step-ca on a terminal to be asked")
            }
        }
        do {
            return try PrivateKeyFile.read(pem: data, password: password)
        } catch {
            throw StartupError(.key, "\(path): \(describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        guard let error = error as? StepCryptoError else { return String(describing: error) }
        switch error.code {
        case .wrongPassword: return "wrong password: the password does not decrypt this key"
        case .passwordRequired: return "the key is encrypted and no password was given"
        default: return error.reason
        }
    }
}
