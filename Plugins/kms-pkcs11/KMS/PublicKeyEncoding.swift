/// DER SubjectPublicKeyInfo from PKCS#11 key attributes, and the curve OIDs the plugin creates.
enum PublicKeyEncoding {
    /// id-ecPublicKey (1.2.840.10045.2.1).
    static let ecPublicKeyOID: [UInt8] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
    /// rsaEncryption (1.2.840.113549.1.1.1).
    static let rsaEncryptionOID: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
    /// prime256v1 / secp256r1.
    static let p256: [UInt8] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]
    /// secp384r1.
    static let p384: [UInt8] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]
    /// secp521r1.
    static let p521: [UInt8] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]

    /// SPKI of an EC key from `CKA_EC_PARAMS` (the curve OID) and `CKA_EC_POINT` (the point,
    /// DER OCTET STRING-wrapped as the standard says, or raw as some modules return it).
    static func ec(params: [UInt8], point: [UInt8]) -> [UInt8] {
        DER.sequence(DER.sequence(ecPublicKeyOID, params), DER.bitString(unwrapPoint(point)))
    }

    /// SPKI of an RSA key from `CKA_MODULUS` and `CKA_PUBLIC_EXPONENT`.
    static func rsa(modulus: [UInt8], exponent: [UInt8]) -> [UInt8] {
        let key = DER.sequence(DER.unsignedInteger(modulus), DER.unsignedInteger(exponent))
        return DER.sequence(DER.sequence(rsaEncryptionOID, DER.null()), DER.bitString(key))
    }

    /// The raw point inside a DER OCTET STRING, or the bytes themselves when not wrapped.
    static func unwrapPoint(_ point: [UInt8]) -> [UInt8] {
        var reader = DER.Reader(point[...])
        if let element = reader.read(), element.tag == 0x04, reader.isAtEnd,
           let first = element.content.first, first == 0x04 || first == 0x02 || first == 0x03,
           element.content.count > 1 {
            return Array(element.content)
        }
        return point
    }

    /// The curve name for messages.
    static func curveName(_ params: [UInt8]) -> String {
        switch params {
        case p256: return "P-256"
        case p384: return "P-384"
        case p521: return "P-521"
        default: return "an unknown curve"
        }
    }
}
