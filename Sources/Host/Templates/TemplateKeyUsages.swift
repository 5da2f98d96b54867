import SwiftASN1
import X509

/// The key usage, extended key usage and signature algorithm names of step's certificate JSON
/// (reference §6.3): case-insensitive, `_` ignored.
enum TemplateKeyUsages {
    private static func normalized(_ name: String) -> String {
        String(decoding: name.utf8.compactMap { $0 == UInt8(ascii: "_") ? nil : ASCIIFold.lower($0) }, as: UTF8.self)
    }

    /// `keyUsage` names to the key usage bits; an empty list means "not set".
    static func keyUsage(_ names: [String]) throws -> KeyUsage? {
        guard !names.isEmpty else { return nil }
        var usage = KeyUsage()
        for name in names {
            switch normalized(name) {
            case "digitalsignature": usage.digitalSignature = true
            case "contentcommitment", "nonrepudiation": usage.nonRepudiation = true
            case "keyencipherment": usage.keyEncipherment = true
            case "dataencipherment": usage.dataEncipherment = true
            case "keyagreement": usage.keyAgreement = true
            case "certsign", "keycertsign": usage.keyCertSign = true
            case "crlsign": usage.cRLSign = true
            case "encipheronly": usage.encipherOnly = true
            case "decipheronly": usage.decipherOnly = true
            default: throw CertificateTemplateError(message: "unsupported keyUsage \(name)")
            }
        }
        return usage
    }

    private static let extendedKeyUsages: [String: ASN1ObjectIdentifier] = [
        "any": [2, 5, 29, 37, 0],
        "serverauth": [1, 3, 6, 1, 5, 5, 7, 3, 1],
        "clientauth": [1, 3, 6, 1, 5, 5, 7, 3, 2],
        "codesigning": [1, 3, 6, 1, 5, 5, 7, 3, 3],
        "emailprotection": [1, 3, 6, 1, 5, 5, 7, 3, 4],
        "ipsecendsystem": [1, 3, 6, 1, 5, 5, 7, 3, 5],
        "ipsectunnel": [1, 3, 6, 1, 5, 5, 7, 3, 6],
        "ipsecuser": [1, 3, 6, 1, 5, 5, 7, 3, 7],
        "timestamping": [1, 3, 6, 1, 5, 5, 7, 3, 8],
        "ocspsigning": [1, 3, 6, 1, 5, 5, 7, 3, 9],
        "microsoftservergatedcrypto": [1, 3, 6, 1, 4, 1, 311, 10, 3, 3],
        "netscapeservergatedcrypto": [2, 16, 840, 1, 113730, 4, 1],
        "microsoftcommercialcodesigning": [1, 3, 6, 1, 4, 1, 311, 2, 1, 22],
        "microsoftkernelcodesigning": [1, 3, 6, 1, 4, 1, 311, 61, 1, 1],
    ]

    /// One `extKeyUsage` name.
    static func extendedKeyUsage(_ name: String) throws -> ASN1ObjectIdentifier {
        guard let oid = extendedKeyUsages[normalized(name)] else {
            throw CertificateTemplateError(message: "unsupported extKeyUsage \(name)")
        }
        return oid
    }
}

/// `signatureAlgorithm` names (Go's x509 names).
enum TemplateSignatureAlgorithms {
    private static let algorithms: [String: Certificate.SignatureAlgorithm] = [
        "sha256-rsa": .sha256WithRSAEncryption, "sha384-rsa": .sha384WithRSAEncryption,
        "sha512-rsa": .sha512WithRSAEncryption, "ecdsa-sha256": .ecdsaWithSHA256,
        "ecdsa-sha384": .ecdsaWithSHA384, "ecdsa-sha512": .ecdsaWithSHA512, "ed25519": .ed25519,
    ]

    static func named(_ name: String) throws -> Certificate.SignatureAlgorithm {
        guard let algorithm = algorithms[ASCIIFold.lowercased(name)] else {
            throw CertificateTemplateError(message: "unsupported signatureAlgorithm \(name)")
        }
        return algorithm
    }
}

/// ASCII-only case folding: the names here are ASCII, and Foundation's Unicode folding is slow.
enum ASCIIFold {
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map(lower), as: UTF8.self)
    }
}
