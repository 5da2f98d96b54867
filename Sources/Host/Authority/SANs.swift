import Foundation
import SwiftASN1
import X509

/// Subject alternative names split by kind, as step's `SplitSANs` classifies strings: an IP
/// literal → ip; a URL with a scheme → uri; contains `@` → email; else dns.
struct SANSet: Sendable, Equatable {
    var dnsNames: [String] = []
    var ipAddresses: [[UInt8]] = []
    var emailAddresses: [String] = []
    var uris: [String] = []

    init(strings: [String]) {
        for value in strings {
            if let address = IPAddressBytes(value) {
                ipAddresses.append(address.bytes)
            } else if let colon = value.utf8.firstIndex(of: UInt8(ascii: ":")), Self.isScheme(value[..<colon]) {
                uris.append(value)
            } else if value.utf8.contains(UInt8(ascii: "@")) {
                emailAddresses.append(value)
            } else {
                dnsNames.append(value)
            }
        }
    }

    /// The SANs requested by a CSR's extension request.
    init(csr: CertificateSigningRequest) {
        self.init(names: try? csr.attributes.extensionRequest?.extensions.subjectAlternativeNames)
    }

    /// The SANs of a certificate.
    init(certificate: Certificate) {
        self.init(names: try? certificate.extensions.subjectAlternativeNames)
    }

    private init(names: SubjectAlternativeNames?) {
        guard let names else { return }
        for name in names {
            switch name {
            case .dnsName(let dns): dnsNames.append(dns)
            case .rfc822Name(let email): emailAddresses.append(email)
            case .uniformResourceIdentifier(let uri): uris.append(uri)
            case .ipAddress(let octets): ipAddresses.append(Array(octets.bytes))
            default: break
            }
        }
    }

    var isEmpty: Bool { dnsNames.isEmpty && ipAddresses.isEmpty && emailAddresses.isEmpty && uris.isEmpty }

    var generalNames: [GeneralName] {
        dnsNames.map { .dnsName($0) }
            + emailAddresses.map { .rfc822Name($0) }
            + ipAddresses.map { .ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
            + uris.map { .uniformResourceIdentifier($0) }
    }

    /// Printable IPs for messages and logs.
    var ipStrings: [String] { ipAddresses.map(IPAddressBytes.format) }

    private static func isScheme(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }
}

extension IPAddressBytes {
    /// The text form of 4- or 16-byte addresses.
    static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        if bytes.count == 4 {
            var address = in_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET, &address, &buffer, 64)
        } else if bytes.count == 16 {
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &address, &buffer, 64)
        } else {
            return bytes.map { String($0) }.joined(separator: ".")
        }
        return String(cString: buffer)
    }
}
