import Crypto
import PluginKit

/// The RSA encodings the plugin builds itself: the card only does raw RSA.
enum SignaturePadding {
    enum Hash {
        case sha256, sha384, sha512

        var length: Int {
            switch self {
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }

        /// DER of DigestInfo up to the digest (RFC 8017, section 9.2, note 1).
        var digestInfoPrefix: [UInt8] {
            switch self {
            case .sha256: return [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]
            case .sha384: return [0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]
            case .sha512: return [0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]
            }
        }

        func digest(_ data: [UInt8]) -> [UInt8] {
            switch self {
            case .sha256: return Array(SHA256.hash(data: data))
            case .sha384: return Array(SHA384.hash(data: data))
            case .sha512: return Array(SHA512.hash(data: data))
            }
        }
    }

    /// EMSA-PKCS1-v1_5: 00 01 FF… 00 DigestInfo, `length` bytes.
    static func pkcs1(digest: [UInt8], hash: Hash, length: Int) throws -> [UInt8] {
        let info = hash.digestInfoPrefix + digest
        guard length >= info.count + 11 else { throw PluginError.invalidArgument("the RSA key is too small for this digest") }
        return [0x00, 0x01] + [UInt8](repeating: 0xFF, count: length - info.count - 3) + [0x00] + info
    }

    /// EMSA-PSS-ENCODE (RFC 8017, 9.1.1) with MGF1 over the same hash and a salt as long as the
    /// hash, for a modulus of `modulusBits` bits.
    static func pss(digest: [UInt8], hash: Hash, modulusBits: Int) throws -> [UInt8] {
        let emBits = modulusBits - 1
        let emLength = (emBits + 7) / 8
        let hLength = hash.length, sLength = hash.length
        guard emLength >= hLength + sLength + 2 else { throw PluginError.invalidArgument("the RSA key is too small for PSS with this digest") }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<sLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let h = hash.digest([UInt8](repeating: 0, count: 8) + digest + salt)
        var db = [UInt8](repeating: 0, count: emLength - sLength - hLength - 2) + [0x01] + salt
        let mask = mgf1(seed: h, length: db.count, hash: hash)
        for index in db.indices { db[index] ^= mask[index] }
        db[0] &= 0xFF >> (8 * emLength - emBits)
        let encoded = db + h + [0xBC]
        // The card takes a block as long as the modulus.
        let modulusBytes = (modulusBits + 7) / 8
        return [UInt8](repeating: 0, count: modulusBytes - encoded.count) + encoded
    }

    static func mgf1(seed: [UInt8], length: Int, hash: Hash) -> [UInt8] {
        var output: [UInt8] = []
        var counter: UInt32 = 0
        while output.count < length {
            let c = [UInt8(counter >> 24), UInt8(counter >> 16 & 0xFF), UInt8(counter >> 8 & 0xFF), UInt8(counter & 0xFF)]
            output += hash.digest(seed + c)
            counter += 1
        }
        return Array(output.prefix(length))
    }
}
