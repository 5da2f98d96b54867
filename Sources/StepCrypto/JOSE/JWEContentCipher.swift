import Crypto
import Foundation

/// The JWE content encryption algorithms (`enc`, RFC 7518 §5) this module implements.
enum JWEContentCipher: String, CaseIterable {
    case a128GCM = "A128GCM"
    case a192GCM = "A192GCM"
    case a256GCM = "A256GCM"
    case a128CBCHS256 = "A128CBC-HS256"
    case a192CBCHS384 = "A192CBC-HS384"
    case a256CBCHS512 = "A256CBC-HS512"

    /// The content encryption key size in bytes.
    var keySize: Int {
        switch self {
        case .a128GCM: return 16
        case .a192GCM: return 24
        case .a256GCM: return 32
        case .a128CBCHS256: return 32
        case .a192CBCHS384: return 48
        case .a256CBCHS512: return 64
        }
    }

    var ivSize: Int {
        switch self {
        case .a128GCM, .a192GCM, .a256GCM: return 12
        case .a128CBCHS256, .a192CBCHS384, .a256CBCHS512: return 16
        }
    }

    var tagSize: Int {
        switch self {
        case .a128GCM, .a192GCM, .a256GCM: return 16
        case .a128CBCHS256: return 16
        case .a192CBCHS384: return 24
        case .a256CBCHS512: return 32
        }
    }

    /// Decrypts and authenticates.
    ///
    /// - Throws: ``StepCryptoError/Code/wrongPassword`` if authentication fails.
    func decrypt(ciphertext: Data, key: SymmetricKey, iv: Data, tag: Data, aad: Data) throws -> Data {
        guard iv.count == self.ivSize, tag.count == self.tagSize else {
            throw StepCryptoError.malformed("JWE IV or tag has the wrong length for \(self.rawValue)")
        }
        let keyBytes = key.withUnsafeBytes { Array($0) }
        switch self {
        case .a128GCM, .a192GCM, .a256GCM:
            do {
                let box = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
                return try AES.GCM.open(box, using: key, authenticating: aad)
            } catch {
                throw StepCryptoError.wrongPassword("JWE content authentication failed")
            }
        case .a128CBCHS256, .a192CBCHS384, .a256CBCHS512:
            let half = self.keySize / 2
            let macKey = SymmetricKey(data: keyBytes.prefix(half))
            let expected = self.cbcHMACTag(macKey: macKey, aad: aad, iv: iv, ciphertext: ciphertext)
            guard safeCompare(expected, Array(tag)) else {
                throw StepCryptoError.wrongPassword("JWE content authentication failed")
            }
            guard let cipher = self.cbcCipher else { preconditionFailure("CBC-HMAC algorithms have a CBC cipher") }
            return Data(try cipher.decrypt(Array(ciphertext), key: Array(keyBytes.suffix(half)), iv: Array(iv)))
        }
    }

    /// Encrypts; returns the IV, ciphertext and tag. Only GCM is used for writing.
    func encryptGCM(plaintext: Data, key: SymmetricKey, aad: Data) throws -> (iv: Data, ciphertext: Data, tag: Data) {
        let nonce = AES.GCM.Nonce()
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
        return (Data(nonce), box.ciphertext, box.tag)
    }

    private var cbcCipher: CBCCipher? {
        switch self {
        case .a128CBCHS256: return .aes128
        case .a192CBCHS384: return .aes192
        case .a256CBCHS512: return .aes256
        case .a128GCM, .a192GCM, .a256GCM: return nil
        }
    }

    /// RFC 7518 §5.2.2.1: HMAC over `AAD || IV || ciphertext || AL`, truncated to half.
    private func cbcHMACTag(macKey: SymmetricKey, aad: Data, iv: Data, ciphertext: Data) -> [UInt8] {
        var input = aad + iv + ciphertext
        let aadBits = UInt64(aad.count) * 8
        input += (0..<8).map { UInt8(truncatingIfNeeded: aadBits >> UInt64(56 - 8 * $0)) }
        let mac: [UInt8]
        switch self {
        case .a192CBCHS384: mac = Array(HMAC<SHA384>.authenticationCode(for: input, using: macKey))
        case .a256CBCHS512: mac = Array(HMAC<SHA512>.authenticationCode(for: input, using: macKey))
        default: mac = Array(HMAC<SHA256>.authenticationCode(for: input, using: macKey))
        }
        return Array(mac.prefix(self.tagSize))
    }
}

/// Compares two byte strings in time independent of where they differ.
func safeCompare(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}
