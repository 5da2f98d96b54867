/// The product name and version reported at start-up and by `/version`.
enum Version {
    static let product = "swift-step-ca"
    static let current = "0.1.0"

    /// `linux/amd64`, as Go names platforms.
    static var platform: String {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "\(os)/\(arch)"
    }
}
