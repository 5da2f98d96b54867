import Hummingbird
import Logging
import NIOCore
import NIOSSL

/// The request context of the CA's HTTP API: Hummingbird's core storage plus the TLS connection,
/// from which handlers read a client certificate (mTLS renew, rekey, revoke).
struct CARequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Request bodies of the CA API are small; 1 MiB is generous for a CSR plus token.
    var maxUploadSize: Int { 1 << 20 }

    /// The verified client certificate chain presented on this connection, leaf first, if any.
    func peerCertificateChain() async -> [NIOSSLCertificate] {
        let channel = self.channel
        let future = channel.eventLoop.submit { () -> [NIOSSLCertificate] in
            guard let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) else { return [] }
            return handler.peerValidatedCertificateChain?.map { $0 } ?? []
        }
        return (try? await future.get()) ?? []
    }
}
