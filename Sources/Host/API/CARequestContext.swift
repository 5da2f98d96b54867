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
}
