import Crypto
import _CryptoExtras

/// The CBC-mode block ciphers that protect password-encrypted key files, with PKCS #7 padding.
enum CBCCipher: Sendable {
    case aes128, aes192, aes256, des, desEDE3

    var keySize: Int {
        switch self {
        case .aes128: return 16
        case .aes192: return 24
        case .aes256: return 32
        case .des: return 8
        case .desEDE3: return 24
        }
    }

    var blockSize: Int {
        switch self {
        case .aes128, .aes192, .aes256: return 16
        case .des, .desEDE3: return 8
        }
    }

    /// Encrypts with PKCS #7 padding.
    func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        precondition(key.count == self.keySize && iv.count == self.blockSize)
        let padding = self.blockSize - plaintext.count % self.blockSize
        let padded = plaintext + [UInt8](repeating: UInt8(padding), count: padding)
        return try self.rawCrypt(padded, key: key, iv: iv, decrypting: false)
    }

    /// Decrypts and removes PKCS #7 padding.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` if the ciphertext length is not a positive
    ///   multiple of the block size; ``StepCryptoError/Code/wrongPassword`` if the padding is bad.
    func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws -> [UInt8] {
        guard key.count == self.keySize, iv.count == self.blockSize else {
            throw StepCryptoError.malformed("cipher key or IV has the wrong length")
        }
        guard !ciphertext.isEmpty, ciphertext.count % self.blockSize == 0 else {
            throw StepCryptoError.malformed("encrypted data is not a whole number of cipher blocks")
        }
        let padded = try self.rawCrypt(ciphertext, key: key, iv: iv, decrypting: true)
        guard let last = padded.last, last >= 1, Int(last) <= self.blockSize,
            padded.suffix(Int(last)).allSatisfy({ $0 == last })
        else {
            throw StepCryptoError.wrongPassword("bad padding after decryption")
        }
        return Array(padded.dropLast(Int(last)))
    }

    private func rawCrypt(_ input: [UInt8], key: [UInt8], iv: [UInt8], decrypting: Bool) throws -> [UInt8] {
        switch self {
        case .aes128, .aes192, .aes256:
            let symmetricKey = SymmetricKey(data: key)
            let cbcIV = try AES._CBC.IV(ivBytes: iv)
            if decrypting {
                return Array(try AES._CBC.decrypt(input, using: symmetricKey, iv: cbcIV, noPadding: true))
            }
            return Array(try AES._CBC.encrypt(input, using: symmetricKey, iv: cbcIV, noPadding: true))
        case .des:
            let cipher = DES(key: key[...])
            return Self.cbc(input, iv: iv, decrypting: decrypting, encryptBlock: cipher.encrypt, decryptBlock: cipher.decrypt)
        case .desEDE3:
            let cipher = TripleDES(key: key)
            return Self.cbc(input, iv: iv, decrypting: decrypting, encryptBlock: cipher.encrypt, decryptBlock: cipher.decrypt)
        }
    }

    /// CBC chaining over a 64-bit block cipher.
    private static func cbc(
        _ input: [UInt8],
        iv: [UInt8],
        decrypting: Bool,
        encryptBlock: (UInt64) -> UInt64,
        decryptBlock: (UInt64) -> UInt64
    ) -> [UInt8] {
        func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
        var chain = word(iv[...])
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var offset = 0
        while offset + 8 <= input.count {
            let block = word(input[offset..<offset + 8])
            let result: UInt64
            if decrypting {
                result = decryptBlock(block) ^ chain
                chain = block
            } else {
                result = encryptBlock(block ^ chain)
                chain = result
            }
            for shift in stride(from: 56, through: 0, by: -8) {
                output.append(UInt8(truncatingIfNeeded: result >> UInt64(shift)))
            }
            offset += 8
        }
        return output
    }
}
