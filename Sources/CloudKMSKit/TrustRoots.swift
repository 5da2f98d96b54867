import NIOSSL

/// Private TLS trust roots of a cloud plugin: the `ca-file=` attribute of its kms URI, then
/// `SSL_CERT_FILE`, both added to the system's roots (test servers and proxies use their own CA).
public enum TrustRoots {
    /// The PEM files to trust besides the system's, in order: `caFile`, then `SSL_CERT_FILE`.
    public static func files(caFile: String?, environment: [String: String]) -> [String] {
        var files: [String] = []
        if let caFile, !caFile.isEmpty { files.append(caFile) }
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty { files.append(file) }
        return files
    }

    /// A client TLS configuration trusting the system's roots and the certificates in `files`.
    public static func clientConfiguration(adding files: [String]) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        var roots: [NIOSSLCertificate] = []
        for file in files {
            do {
                roots += try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw TrustRootError(file: file, detail: String(describing: error))
            }
        }
        if !roots.isEmpty { tls.additionalTrustRoots = [.certificates(roots)] }
        return tls
    }
}

/// A trust-root file that cannot be read as PEM certificates.
public struct TrustRootError: Error, Sendable {
    public let file: String
    public let detail: String
}
