import Foundation
import NIOConcurrencyHelpers
import X509
import StepConfig

/// The CA as configured at one moment: certificates, keys, provisioners, database. Immutable;
/// a reload builds a new one and swaps it in ``AuthorityHolder``.
final class Authority: Sendable {
    let runtime: CARuntime
    /// When this authority started (truncated to seconds): tokens issued before are refused
    /// unless `disableIssuedAtCheck`.
    let startTime: Date
    let rootsPEM: [String]
    let federationPEM: [String]
    let intermediatesPEM: [String]
    /// Roots and federated roots by lower-case hex SHA-256 fingerprint.
    let caByFingerprint: [String: String]
    let provisioners: ProvisionerDirectory
    /// Signs leaves with the issuing certificate and key.
    let leafBuilder: LeafBuilder
    /// `authority.policy`: which names may be issued, checked on every issuance path.
    let namePolicy: NamePolicyGate
    /// The constant parts of every sign response (chain, TLS options), serialised once.
    let signResponseParts: SignResponse.ConstantParts
    /// Token audiences by purpose, from `dnsNames`.
    private let audienceSets: [TokenPurpose: AudienceSet]
    /// Each provisioner's effective claims (or why they are invalid), computed once.
    private let claimsByProvisioner: [String: Result<EffectiveClaims, ConfigError>]

    init(runtime: CARuntime, now: Date = Date()) throws {
        self.runtime = runtime
        self.startTime = now.wholeSeconds
        let material = runtime.material
        rootsPEM = material.roots.map(CertificateFiles.pem)
        intermediatesPEM = material.intermediates.map(CertificateFiles.pem)
        // Roots first, then federated roots that are not roots already.
        var seen = Set<String>()
        var federation: [String] = []
        var byFingerprint: [String: String] = [:]
        for certificate in material.roots + material.federatedRoots {
            let fingerprint = CertificateFiles.fingerprint(certificate)
            guard seen.insert(fingerprint).inserted else { continue }
            let pem = CertificateFiles.pem(certificate)
            federation.append(pem)
            byFingerprint[fingerprint] = pem
        }
        federationPEM = federation
        caByFingerprint = byFingerprint
        provisioners = ProvisionerDirectory(runtime.config.authority.provisioners)
        leafBuilder = try LeafBuilder(issuer: material.issuer, issuerKey: material.signingKey)
        namePolicy = try NamePolicyGate(config: runtime.config)
        signResponseParts = SignResponse.ConstantParts(intermediatesPEM: intermediatesPEM, tls: runtime.config.tls)
        var claims: [String: Result<EffectiveClaims, ConfigError>] = [:]
        for provisioner in runtime.config.authority.provisioners {
            claims[provisioner.id] = Result { () throws(ConfigError) -> EffectiveClaims in
                try runtime.config.effectiveClaims(for: provisioner)
            }
        }
        claimsByProvisioner = claims
        audienceSets = Dictionary(uniqueKeysWithValues: TokenPurpose.allCases.map {
            ($0, AudienceSet(purpose: $0, dnsNames: runtime.config.dnsNames))
        })
    }

    /// The audiences a token for `purpose` may carry.
    func audiences(for purpose: TokenPurpose) -> AudienceSet {
        audienceSets[purpose] ?? AudienceSet(purpose: purpose, dnsNames: config.dnsNames)
    }

    /// The provisioner's claims over the authority's and the built-ins (reference §4.2).
    func claims(for provisioner: Provisioner) throws(ConfigError) -> EffectiveClaims {
        if let cached = claimsByProvisioner[provisioner.id] { return try cached.get() }
        return try config.effectiveClaims(for: provisioner)
    }

    var config: CAConfig { runtime.config }
    var database: any KeyValueStore { runtime.database }
}

/// Holds the authority in force; requests read it once at their start.
final class AuthorityHolder: Sendable {
    private let state: NIOLockedValueBox<Authority>

    init(_ authority: Authority) {
        state = NIOLockedValueBox(authority)
    }

    var current: Authority { state.withLockedValue { $0 } }

    func replace(with authority: Authority) {
        state.withLockedValue { $0 = authority }
    }
}
