import NIOSSL
import X509
import StepCrypto
import StepConfig

/// The server-side TLS configuration from ca.json's `tls` options and the serving certificate.
enum TLSSetup {
    /// Client certificates are requested but optional; when presented they must chain to
    /// `clientCAs` (the roots and served intermediates), as step-ca's "verify if given".
    static func serverConfiguration(chain: [NIOSSLCertificateSource], key: NIOSSLPrivateKeySource, options: TLSOptions,
                                    clientCAs: [Certificate]) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates(try clientCAs.map { try NIOSSLCertificate(bytes: CertificateFiles.der($0), format: .der) })
        configuration.minimumTLSVersion = version(options.minVersion)
        configuration.maximumTLSVersion = version(options.maxVersion)
        let codes = options.cipherSuiteCodes
        if !codes.isEmpty {
            configuration.cipherSuiteValues = codes.map { NIOTLSCipher(rawValue: $0) }
        }
        return configuration
    }

    private static func version(_ version: StepConfig.TLSVersion) -> NIOSSL.TLSVersion {
        switch version {
        case .tls1_0: return .tlsv1
        case .tls1_1: return .tlsv11
        case .tls1_2: return .tlsv12
        case .tls1_3: return .tlsv13
        }
    }
}
