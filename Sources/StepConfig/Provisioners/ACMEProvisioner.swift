import Foundation

/// ACME provisioner settings.
public struct ACMEProvisioner: Sendable, Equatable {
    /// Whether an empty CN is set to the first DNS name.
    public var forceCN: Bool
    /// Terms of service URL announced in the directory.
    public var termsOfService: String?
    /// Website URL announced in the directory.
    public var website: String?
    /// CAA identities announced in the directory.
    public var caaIdentities: [String]
    /// Whether accounts need external account binding.
    public var requireEAB: Bool
    /// Enabled challenge types as written; `nil` means the default set.
    public var challenges: [String]?
    /// Accepted device attestation formats as written; `nil` means all.
    public var attestationFormats: [String]?
    /// PEM roots for device attestation (base64 in ca.json).
    public var attestationRootsPEM: Data?

    /// Challenge types step-ca knows.
    public static let knownChallenges: [String] = [
        "http-01", "dns-01", "tls-alpn-01", "device-attest-01", "wire-oidc-01", "wire-dpop-01",
    ]
    /// Challenge types enabled when `challenges` is absent.
    public static let defaultChallenges: [String] = ["http-01", "dns-01", "tls-alpn-01"]
    /// Attestation formats step-ca knows (all enabled by default).
    public static let knownAttestationFormats: [String] = ["apple", "step", "tpm", "android-key"]

    /// Makes ACME settings.
    public init(forceCN: Bool = false, termsOfService: String? = nil, website: String? = nil,
                caaIdentities: [String] = [], requireEAB: Bool = false, challenges: [String]? = nil,
                attestationFormats: [String]? = nil, attestationRootsPEM: Data? = nil) {
        self.forceCN = forceCN
        self.termsOfService = termsOfService
        self.website = website
        self.caaIdentities = caaIdentities
        self.requireEAB = requireEAB
        self.challenges = challenges
        self.attestationFormats = attestationFormats
        self.attestationRootsPEM = attestationRootsPEM
    }

    /// The challenge types in effect (lower-cased).
    public var effectiveChallenges: [String] {
        guard let challenges, !challenges.isEmpty else { return ACMEProvisioner.defaultChallenges }
        return challenges.map { $0.lowercased() }
    }

    /// The attestation formats in effect (lower-cased).
    public var effectiveAttestationFormats: [String] {
        guard let attestationFormats, !attestationFormats.isEmpty else {
            return ACMEProvisioner.knownAttestationFormats
        }
        return attestationFormats.map { $0.lowercased() }
    }
}
