import SwiftASN1

/// Object identifiers used by the key encodings in this module.
enum OID {
    // Key algorithms.
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
    static let dsa: ASN1ObjectIdentifier = [1, 2, 840, 10040, 4, 1]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    static let x25519: ASN1ObjectIdentifier = [1, 3, 101, 110]
    static let ed448: ASN1ObjectIdentifier = [1, 3, 101, 113]
    static let x448: ASN1ObjectIdentifier = [1, 3, 101, 111]

    // Named curves.
    static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    static let secp256k1: ASN1ObjectIdentifier = [1, 3, 132, 0, 10]

    // Password-based encryption (PKCS #5 v2.1, RFC 8018).
    static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 5, 13]
    static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 5, 12]
    static let scrypt: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11591, 4, 11]
    static let hmacWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 7]
    static let hmacWithSHA224: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 8]
    static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 9]
    static let hmacWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 10]
    static let hmacWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 11]
    static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
    static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
    static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    static let desEDE3CBC: ASN1ObjectIdentifier = [1, 2, 840, 113549, 3, 7]
    static let desCBC: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 7]

    // PBES1 and PKCS #12 schemes, recognised only to name them in errors.
    static let pbes1Prefix: [UInt] = [1, 2, 840, 113549, 1, 5]
    static let pkcs12PBEPrefix: [UInt] = [1, 2, 840, 113549, 1, 12, 1]

    /// A readable name for errors.
    static func name(_ oid: ASN1ObjectIdentifier) -> String {
        let known: [ASN1ObjectIdentifier: String] = [
            dsa: "DSA", rsassaPSS: "RSASSA-PSS", x25519: "X25519", ed448: "Ed448", x448: "X448",
            secp256k1: "secp256k1", hmacWithSHA224: "hmacWithSHA224", scrypt: "scrypt",
        ]
        if let name = known[oid] {
            return "\(name) (\(oid))"
        }
        let components = oid.oidComponents
        if components.starts(with: pbes1Prefix) {
            return "PBES1 (\(oid))"
        }
        if components.starts(with: pkcs12PBEPrefix) {
            return "PKCS #12 password-based encryption (\(oid))"
        }
        return "OID \(oid)"
    }
}
