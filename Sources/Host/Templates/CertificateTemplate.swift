import Foundation
import SwiftASN1
import X509

/// A rendered X.509 template: step's certificate JSON model (reference §6.3) after decoding.
/// Empty lists and nil mean "not set". The public key always comes from the request.
struct CertificateTemplate {
    struct Subject: Equatable {
        var fields = DistinguishedNameFields(commonName: "")
        /// `extraNames`, each becoming its own RDN after the standard attributes.
        var extraNames: [(type: ASN1ObjectIdentifier, value: String)] = []

        static func == (lhs: Subject, rhs: Subject) -> Bool {
            lhs.fields == rhs.fields && lhs.extraNames.map(\.type) == rhs.extraNames.map(\.type)
                && lhs.extraNames.map(\.value) == rhs.extraNames.map(\.value)
        }
    }

    /// One `sans` entry that is not a plain DNS name, IP, email or URI.
    enum OtherName {
        case registeredID(ASN1ObjectIdentifier)
        case permanentIdentifier(identifier: String, assigner: ASN1ObjectIdentifier?)
        case userPrincipalName(String)
        case hardwareModuleName(type: ASN1ObjectIdentifier, serial: [UInt8])
    }

    struct BasicConstraintsValue {
        var isCA: Bool
        /// 0 = explicit zero, negative = unlimited.
        var maxPathLen: Int
    }

    struct NameConstraintsValue {
        var critical = false
        var permittedDNSDomains: [String] = []
        var excludedDNSDomains: [String] = []
        var permittedIPRanges: [(address: [UInt8], mask: [UInt8])] = []
        var excludedIPRanges: [(address: [UInt8], mask: [UInt8])] = []
        var permittedEmailAddresses: [String] = []
        var excludedEmailAddresses: [String] = []
        var permittedURIDomains: [String] = []
        var excludedURIDomains: [String] = []
    }

    var subject = Subject()
    /// `rawSubject`: a DER subject used instead of `subject`.
    var rawSubject: [UInt8]?
    /// `serialNumber`: big-endian magnitude.
    var serialNumber: [UInt8]?
    var dnsNames: [String] = []
    var emailAddresses: [String] = []
    var ipAddresses: [[UInt8]] = []
    var uris: [String] = []
    var otherNames: [OtherName] = []
    var notBefore: Date?
    var notAfter: Date?
    var extensions: [Certificate.Extension] = []
    var keyUsage: KeyUsage?
    var extKeyUsage: [ASN1ObjectIdentifier] = []
    var unknownExtKeyUsage: [ASN1ObjectIdentifier] = []
    var subjectKeyID: [UInt8]?
    var ocspServer: [String] = []
    var issuingCertificateURL: [String] = []
    var crlDistributionPoints: [String] = []
    var policyIdentifiers: [ASN1ObjectIdentifier] = []
    var basicConstraints: BasicConstraintsValue?
    var nameConstraints: NameConstraintsValue?
    /// `signatureAlgorithm`, when the template asks for one.
    var signatureAlgorithm: Certificate.SignatureAlgorithm?
}

/// A template that rendered to something that is not a certificate model; step-ca answers 500
/// "error applying certificate template" and logs this.
struct CertificateTemplateError: Error, CustomStringConvertible {
    let message: String
    var description: String { "error unmarshaling certificate: \(message)" }
}
