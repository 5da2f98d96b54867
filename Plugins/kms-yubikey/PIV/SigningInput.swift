import PluginKit

/// What the card signs for a requested algorithm: the digest for ECDSA (truncated to the
/// curve's size, as FIPS 186-4 does), an EMSA-PKCS1-v1_5 or EMSA-PSS block for RSA.
enum SigningInput {
    static func make(algorithm: SignatureAlgorithm, digest: [UInt8], key: PIVKeyAlgorithm, slot: PIVSlot) throws -> [UInt8] {
        let hash: SignaturePadding.Hash
        let pss: Bool
        switch algorithm {
        case .ecdsaSHA256, .rsaPKCS1SHA256, .rsaPSSSHA256: hash = .sha256
        case .ecdsaSHA384, .rsaPKCS1SHA384, .rsaPSSSHA384: hash = .sha384
        case .ecdsaSHA512, .rsaPKCS1SHA512, .rsaPSSSHA512: hash = .sha512
        case .ed25519:
            throw PluginError.unsupported("slot \(slot) holds a \(key) key; the card cannot sign Ed25519")
        }
        switch algorithm {
        case .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512: pss = true
        default: pss = false
        }
        guard digest.count == hash.length else {
            throw PluginError.invalidArgument("a \(algorithm) digest has \(hash.length) bytes, got \(digest.count)")
        }
        let isECDSA = [.ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512].contains(algorithm)
        guard isECDSA == key.isEC else {
            throw PluginError.unsupported("slot \(slot) holds a \(key) key, which cannot make \(isECDSA ? "ECDSA" : "RSA") signatures")
        }
        if isECDSA {
            return Array(digest.prefix(key.size))
        }
        return pss ? try SignaturePadding.pss(digest: digest, hash: hash, modulusBits: 2048)
                   : try SignaturePadding.pkcs1(digest: digest, hash: hash, length: key.size)
    }
}
