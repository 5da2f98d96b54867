import Crypto

/// bcrypt_pbkdf, the key derivation of OpenSSH private keys (OpenBSD `bcrypt_pbkdf.c`):
/// PBKDF2-like, with SHA-512 and the Blowfish-based `bcrypt_hash` as the PRF, and output
/// bytes spread across blocks.
enum BcryptPBKDF {
    /// The most rounds accepted; ssh-keygen's default is 16.
    static let maximumRounds = 10_000

    static func deriveKey(password: [UInt8], salt: [UInt8], rounds: Int, keyLength: Int) throws -> [UInt8] {
        guard rounds >= 1, rounds <= Self.maximumRounds else {
            throw StepCryptoError.outOfRange("bcrypt_pbkdf rounds \(rounds) outside 1...\(Self.maximumRounds)")
        }
        guard !salt.isEmpty, salt.count <= 1024 else {
            throw StepCryptoError.malformed("bcrypt_pbkdf salt length \(salt.count) outside 1...1024")
        }
        guard keyLength >= 1, keyLength <= 32 * 32 else {
            throw StepCryptoError.outOfRange("bcrypt_pbkdf key length \(keyLength)")
        }
        guard !password.isEmpty else {
            throw StepCryptoError.wrongPassword("the password is empty")
        }

        let blockSize = 32
        let stride = (keyLength + blockSize - 1) / blockSize
        var amount = (keyLength + stride - 1) / stride
        let sha2pass = Array(SHA512.hash(data: password))
        var key = [UInt8](repeating: 0, count: keyLength)
        var remaining = keyLength
        var count: UInt32 = 1
        while remaining > 0 {
            let countSalt = salt + [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            var temporary = Self.hash(sha2pass: sha2pass, sha2salt: Array(SHA512.hash(data: countSalt)))
            var output = temporary
            for _ in 1..<rounds {
                temporary = Self.hash(sha2pass: sha2pass, sha2salt: Array(SHA512.hash(data: temporary)))
                for index in 0..<blockSize {
                    output[index] ^= temporary[index]
                }
            }
            amount = min(amount, remaining)
            var written = 0
            while written < amount {
                let destination = written * stride + Int(count - 1)
                if destination >= keyLength {
                    break
                }
                key[destination] = output[written]
                written += 1
            }
            remaining -= written
            count += 1
        }
        return key
    }

    /// `bcrypt_hash`: 32 bytes from two SHA-512 digests.
    static func hash(sha2pass: [UInt8], sha2salt: [UInt8]) -> [UInt8] {
        let state = Blowfish()
        state.expandState(data: sha2salt, key: sha2pass)
        for _ in 0..<64 {
            state.expand0State(key: sha2salt)
            state.expand0State(key: sha2pass)
        }
        let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)
        var words = [UInt32](repeating: 0, count: 8)
        magic.withUnsafeBufferPointer { magic in
            var j = 0
            for index in 0..<8 {
                words[index] = Blowfish.streamToWord(magic, &j)
            }
        }
        for _ in 0..<64 {
            state.encrypt(words: &words)
        }
        var output = [UInt8]()
        output.reserveCapacity(32)
        for word in words {
            output += [UInt8(word & 0xff), UInt8((word >> 8) & 0xff), UInt8((word >> 16) & 0xff), UInt8(word >> 24)]
        }
        return output
    }
}
