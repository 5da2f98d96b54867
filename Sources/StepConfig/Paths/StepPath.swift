import Foundation

/// The STEPPATH directory that relative paths in ca.json are resolved against,
/// with the home and working directories that `~/` and `./` paths use.
///
/// Resolution follows step's `step.Abs`: absolute paths stay, `~/x` is under
/// the home directory, `./x` and `../x` are under the working directory, and
/// anything else is under STEPPATH. Contexts (`authorities/<name>`) are not
/// consulted; pass the authority directory itself when using them.
public struct StepPath: Sendable, Equatable {
    /// The STEPPATH directory (cleaned, as Go's `filepath.Clean` would).
    public var directory: String
    /// The home directory used for `~/` paths.
    public var homeDirectory: String
    /// The working directory used for `./` and `../` paths.
    public var workingDirectory: String

    /// Uses `directory` as STEPPATH. The home directory defaults to `$HOME`,
    /// the working directory to the process's current directory.
    public init(_ directory: String, homeDirectory: String? = nil, workingDirectory: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        self.directory = GoFilePath.clean(directory)
        self.homeDirectory = GoFilePath.clean(homeDirectory ?? environment["HOME"] ?? NSHomeDirectory())
        self.workingDirectory = GoFilePath.clean(workingDirectory ?? FileManager.default.currentDirectoryPath)
    }

    /// STEPPATH as step-ca finds it: the `STEPPATH` variable when set and
    /// non-empty, otherwise `$HOME/.step`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       workingDirectory: String? = nil) -> StepPath {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let directory = environment["STEPPATH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? GoFilePath.join(home, ".step")
        return StepPath(directory, homeDirectory: home, workingDirectory: workingDirectory)
    }

    /// A ca.json path made absolute the way step does it (see the type's notes).
    /// Empty strings stay empty.
    public func resolve(_ path: String) -> String {
        if path.isEmpty || GoFilePath.isAbsolute(path) { return path }
        if path.hasPrefix("~/") { return GoFilePath.join(homeDirectory, String(path.dropFirst(2))) }
        if path.hasPrefix("./") || path.hasPrefix("../") { return GoFilePath.join(workingDirectory, path) }
        return GoFilePath.join(directory, path)
    }

    /// Like ``resolve(_:)`` but leaves key-manager URIs (`pkcs11:`, `yubikey:`,
    /// `awskms:`, `cloudkms:`, `azurekms:`, `tpmkms:`, `sshagentkms:`,
    /// `softkms:`, `capi:`, `mackms:`) untouched.
    public func resolveKeyReference(_ value: String) -> String {
        StepPath.isKeyManagerURI(value) ? value : resolve(value)
    }

    /// Whether a key or certificate reference is a key-manager URI rather than a file.
    public static func isKeyManagerURI(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":") else { return false }
        return keyManagerSchemes.contains(value[..<colon].lowercased())
    }

    static let keyManagerSchemes: Set<String> = [
        "pkcs11", "yubikey", "awskms", "cloudkms", "azurekms", "tpmkms",
        "sshagentkms", "softkms", "capi", "mackms",
    ]
}
