import Foundation

/// Nebula provisioner settings.
public struct NebulaProvisioner: Sendable, Equatable {
    /// PEM bundle of trusted Nebula CA certificates (base64 in ca.json).
    public var rootsPEM: Data

    /// Makes Nebula settings.
    public init(rootsPEM: Data = Data()) {
        self.rootsPEM = rootsPEM
    }
}
