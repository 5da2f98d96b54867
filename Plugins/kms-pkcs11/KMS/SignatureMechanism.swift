import CPKCS11
import PluginKit

/// How one signature is made on the token. The host hashes; the token signs the digest with
/// `CKM_ECDSA` (raw r‖s, converted to DER here), `CKM_RSA_PKCS` over DigestInfo ‖ digest, or
/// `CKM_RSA_PKCS_PSS` with MGF1 over the same hash and a salt as long as the digest. This is what
/// step-ca does, and works with tokens that lack the combined hash-and-sign mechanisms
/// (SoftHSM2 has no `CKM_ECDSA_SHA256`).
struct SignatureMechanism {
    enum Family { case ecdsa, rsaPKCS1, rsaPSS }

    let family: Family
    /// The hash, for messages: "SHA-256".
    let hashName: String
    /// The bytes handed to `C_Sign`.
    let input: [UInt8]
    let hashMechanism: CK_MECHANISM_TYPE
    let mgf: CK_ULONG

    /// The key type this mechanism needs.
    var keyType: CK_ULONG { family == .ecdsa ? CK.ecKey : CK.rsaKey }

    var name: String {
        switch family {
        case .ecdsa: return "ECDSA with \(hashName) (CKM_ECDSA)"
        case .rsaPKCS1: return "RSA PKCS#1 v1.5 with \(hashName) (CKM_RSA_PKCS)"
        case .rsaPSS: return "RSA-PSS with \(hashName) (CKM_RSA_PKCS_PSS)"
        }
    }

    /// Checks the digest length and prepares the token input.
    init(_ algorithm: SignatureAlgorithm, digest: [UInt8], key: String) throws {
        let size: Int
        switch algorithm {
        case .ecdsaSHA256, .rsaPKCS1SHA256, .rsaPSSSHA256:
            (size, hashName, hashMechanism, mgf) = (32, "SHA-256", CK.mSHA256, CK.mgf1SHA256)
        case .ecdsaSHA384, .rsaPKCS1SHA384, .rsaPSSSHA384:
            (size, hashName, hashMechanism, mgf) = (48, "SHA-384", CK.mSHA384, CK.mgf1SHA384)
        case .ecdsaSHA512, .rsaPKCS1SHA512, .rsaPSSSHA512:
            (size, hashName, hashMechanism, mgf) = (64, "SHA-512", CK.mSHA512, CK.mgf1SHA512)
        case .ed25519:
            throw PluginError.unsupported("\(key): Ed25519 signatures are not supported by the PKCS#11 plugin")
        }
        switch algorithm {
        case .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512: family = .ecdsa
        case .rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512: family = .rsaPKCS1
        default: family = .rsaPSS
        }
        guard digest.count == size else {
            throw PluginError.invalidArgument("\(key): the digest is \(digest.count) bytes; \(hashName) needs \(size)")
        }
        input = family == .rsaPKCS1 ? Self.digestInfoPrefix(size) + digest : digest
    }

    /// Runs `body` with the `CK_MECHANISM` (its parameters stay valid during the call).
    func withMechanism<R>(_ body: (UnsafeMutablePointer<CK_MECHANISM>) throws -> R) rethrows -> R {
        switch family {
        case .ecdsa:
            var mechanism = CK_MECHANISM(mechanism: CK.mECDSA, pParameter: nil, ulParameterLen: 0)
            return try body(&mechanism)
        case .rsaPKCS1:
            var mechanism = CK_MECHANISM(mechanism: CK.mRSAPKCS, pParameter: nil, ulParameterLen: 0)
            return try body(&mechanism)
        case .rsaPSS:
            var parameters = CK_RSA_PKCS_PSS_PARAMS(hashAlg: hashMechanism, mgf: mgf, sLen: CK_ULONG(input.count))
            return try withUnsafeMutablePointer(to: &parameters) { pointer in
                var mechanism = CK_MECHANISM(mechanism: CK.mRSAPKCSPSS, pParameter: UnsafeMutableRawPointer(pointer),
                                             ulParameterLen: CK_ULONG(MemoryLayout<CK_RSA_PKCS_PSS_PARAMS>.size))
                return try body(&mechanism)
            }
        }
    }

    /// The token's output as the ABI wants it: ECDSA r‖s becomes DER SEQUENCE { r, s }.
    func encode(_ output: [UInt8], key: String) throws -> [UInt8] {
        guard family == .ecdsa else { return output }
        guard output.count >= 2, output.count % 2 == 0 else {
            throw PluginError.internal("\(key): the token returned an ECDSA signature of \(output.count) bytes, not r‖s")
        }
        let half = output.count / 2
        return DER.sequence(DER.unsignedInteger(Array(output[..<half])), DER.unsignedInteger(Array(output[half...])))
    }

    /// DER DigestInfo header for SHA-256/384/512 (RFC 8017, 9.2 note 1).
    static func digestInfoPrefix(_ size: Int) -> [UInt8] {
        let (total, hashID): (UInt8, UInt8) = size == 32 ? (0x31, 0x01) : size == 48 ? (0x41, 0x02) : (0x51, 0x03)
        return [0x30, total, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, hashID,
                0x05, 0x00, 0x04, UInt8(size)]
    }
}
