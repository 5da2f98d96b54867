import Foundation

/// X5C provisioner settings.
public struct X5CProvisioner: Sendable, Equatable {
    /// PEM bundle of trusted roots (ca.json holds it base64-encoded).
    public var rootsPEM: Data

    /// Makes X5C settings.
    public init(rootsPEM: Data = Data()) {
        self.rootsPEM = rootsPEM
    }
}
