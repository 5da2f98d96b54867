import Foundation
import NIOCore
import NIOSSL
import X509
import StepCrypto

/// The certificate a client proves it holds: from mTLS, or from a renew token's `x5cInsecure`.
enum ClientCertificate {
    /// The leaf of the connection's client certificate (already verified by TLS against the
    /// roots and served intermediates), or nil when none was presented.
    static func fromConnection(_ context: CARequestContext) async -> Certificate? {
        guard let leaf = await context.peerCertificate() else { return nil }
        return try? Certificate(derEncoded: leaf.toDERBytes())
    }

    /// Verifies `chain` (leaf first) up to the authority's roots at `time`.
    static func verifyChain(_ chain: [Certificate], authority: Authority, at time: Date) async -> Bool {
        guard let leaf = chain.first else { return false }
        var verifier = Verifier(rootCertificates: CertificateStore(authority.runtime.material.roots)) {
            RFC5280Policy(validationTime: time)
        }
        let intermediates = CertificateStore(Array(chain.dropFirst()) + authority.runtime.material.intermediates)
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: intermediates) { return true }
        return false
    }

    /// The common name of a certificate's subject.
    static func commonName(_ certificate: Certificate) -> String {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return ""
    }
}

extension CARequestContext {
    /// The client certificate of this connection, if one was presented.
    /// With HTTP/1.1 the TLS handler is in the request's own channel (whose parent is the
    /// listening socket); with HTTP/2 the request runs on a stream channel and TLS lives on its
    /// parent connection.
    func peerCertificate() async -> NIOSSLCertificate? {
        if let certificate = await Self.peerCertificate(in: channel) { return certificate }
        guard let parent = channel.parent else { return nil }
        return await Self.peerCertificate(in: parent)
    }

    private static func peerCertificate(in channel: any Channel) async -> NIOSSLCertificate? {
        let future = channel.eventLoop.submit { () -> NIOSSLCertificate? in
            guard let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return nil }
            return handler.peerCertificate
        }
        return try? await future.get()
    }
}
