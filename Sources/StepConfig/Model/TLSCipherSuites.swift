/// The cipher suite names step-ca accepts in `tls.cipherSuites` (Go's
/// `crypto/tls` names plus two legacy ChaCha20 spellings), with their IANA code points.
public enum TLSCipherSuites {
    /// Name to IANA code point.
    public static let codes: [String: UInt16] = [
        "TLS_RSA_WITH_RC4_128_SHA": 0x0005,
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA": 0x000A,
        "TLS_RSA_WITH_AES_128_CBC_SHA": 0x002F,
        "TLS_RSA_WITH_AES_256_CBC_SHA": 0x0035,
        "TLS_RSA_WITH_AES_128_CBC_SHA256": 0x003C,
        "TLS_RSA_WITH_AES_128_GCM_SHA256": 0x009C,
        "TLS_RSA_WITH_AES_256_GCM_SHA384": 0x009D,
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA": 0xC007,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": 0xC009,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": 0xC00A,
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA": 0xC011,
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA": 0xC012,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": 0xC013,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": 0xC014,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256": 0xC023,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": 0xC027,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": 0xC02B,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": 0xC02C,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": 0xC02F,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": 0xC030,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA8,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": 0xCCA9,
        "TLS_AES_128_GCM_SHA256": 0x1301,
        "TLS_AES_256_GCM_SHA384": 0x1302,
        "TLS_CHACHA20_POLY1305_SHA256": 0x1303,
        // Legacy names.
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305": 0xCCA8,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305": 0xCCA9,
    ]

    /// Whether a name is accepted (names are case-sensitive, as in step-ca).
    public static func isKnown(_ name: String) -> Bool {
        codes[name] != nil
    }
}
