import Foundation

/// Kubernetes service account provisioner settings.
public struct K8sSAProvisioner: Sendable, Equatable {
    /// PEM public keys that verify service account tokens (base64 in ca.json).
    public var publicKeysPEM: Data

    /// Makes K8sSA settings.
    public init(publicKeysPEM: Data = Data()) {
        self.publicKeysPEM = publicKeysPEM
    }
}
