import Foundation

/// One exported certificate: what `x509_certs`, `x509_certs_data` and `revoked_x509_certs` say
/// about one serial. Fields the certificate would supply are nil when its DER does not parse
/// (``error`` then says why).
struct ExportRecord: Sendable, Equatable {
    /// Whether a certificate counts as active, expired or revoked at export time.
    enum Status: String, Sendable, CaseIterable {
        case active, expired, revoked
    }

    /// Subject alternative names by kind, in certificate order.
    struct SubjectAlternativeNames: Sendable, Equatable {
        var dns: [String] = []
        var ip: [String] = []
        var email: [String] = []
        var uri: [String] = []
    }

    /// The provisioner that issued the certificate.
    struct Provisioner: Sendable, Equatable {
        /// Where the facts come from: the `x509_certs_data` record, or (older records, or no data
        /// record) the certificate's step provisioner extension.
        enum Source: String, Sendable { case data, `extension` }

        var name: String
        var type: String
        /// Known from the data record only (the extension carries a credential id, not this).
        var id: String?
        var source: Source
    }

    /// A `revoked_x509_certs` entry.
    struct Revocation: Sendable, Equatable {
        var reasonCode: Int?
        var reason: String?
        var revokedAt: Date?
    }

    /// The table key: the decimal serial number.
    var serial: String
    var subject: String?
    var sans: SubjectAlternativeNames?
    var notBefore: Date?
    var notAfter: Date?
    var provisioner: Provisioner?
    var revocation: Revocation?
    /// Nil only when the certificate does not parse and is not revoked.
    var status: Status?
    /// Why the stored certificate could not be read; nil for a readable record.
    var error: String?

    var revoked: Bool { revocation != nil }
}
