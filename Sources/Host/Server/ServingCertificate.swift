import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import X509
import StepCrypto

/// The CA's own TLS certificate (reference §10.1), renewed in place: each TLS handshake takes the
/// current certificate through NIOSSL's context callback, so renewal and reload never restart
/// the listener or drop connections.
final class ServingCertificate: Sendable {
    struct Current: Sendable {
        let certificate: Certificate
        let chain: [NIOSSLCertificateSource]
        let key: NIOSSLPrivateKeySource
        /// When to renew: two thirds into the life, minus a little jitter.
        let renewAt: Date
    }

    private let state: NIOLockedValueBox<Current>
    /// Set while a renewal started by a handshake runs, so that a burst of handshakes starts one.
    private let handshakeRenewal = NIOLockedValueBox(false)

    init(authority: Authority, now: Date = Date()) async throws {
        state = NIOLockedValueBox(try await Self.issue(authority: authority, now: now))
    }

    var current: Current { state.withLockedValue { $0 } }

    /// Issues a fresh certificate from `authority` and makes it the one served.
    func renew(authority: Authority, now: Date = Date()) async throws {
        let fresh = try await Self.issue(authority: authority, now: now)
        state.withLockedValue { $0 = fresh }
    }

    /// The handshake callback: the current certificate and key. One about to expire (a minute
    /// before NotAfter, as step-ca checks; a machine that slept past the scheduled renewal) is
    /// served once more while a renewal starts, since signing may involve a key manager.
    func contextCallback(authorities: AuthorityHolder) -> NIOSSLContextCallback {
        { [self] _, promise in
            let current = self.current
            if Date() > current.certificate.notValidAfter.addingTimeInterval(-60) {
                let start = self.handshakeRenewal.withLockedValue { running in
                    defer { running = true }
                    return !running
                }
                if start {
                    Task {
                        try? await self.renew(authority: authorities.current)
                        self.handshakeRenewal.withLockedValue { $0 = false }
                    }
                }
            }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = current.chain
            override.privateKey = current.key
            promise.succeed(override)
        }
    }

    private static func issue(authority: Authority, now: Date) async throws -> Current {
        let config = authority.config
        let key = PrivateKeyMaterial.p256(.init())
        let material = authority.runtime.material
        let certificate = try await CertificateFactory.makeServingCertificate(
            commonName: config.commonName, dnsNames: config.dnsNames, key: key,
            issuer: material.issuer, issuerKey: material.signingKey, now: now)
        let chain = try ([certificate] + material.intermediates).map {
            NIOSSLCertificateSource.certificate(try NIOSSLCertificate(bytes: CertificateFiles.der($0), format: .der))
        }
        let privateKey = try NIOSSLPrivateKey(bytes: Array(PrivateKeyFile.pkcs8PEM(key).utf8), format: .pem)
        let lifetime = certificate.notValidAfter.timeIntervalSince(now)
        let jitter = Double.random(in: 0...(lifetime / 20))
        let renewAt = now.addingTimeInterval(lifetime - lifetime / 3 - jitter)
        return Current(certificate: certificate, chain: chain, key: .privateKey(privateKey), renewAt: renewAt)
    }
}
