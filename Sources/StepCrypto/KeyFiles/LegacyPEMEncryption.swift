import Crypto

import Foundation

/// Legacy PEM encryption (RFC 1423, OpenSSL "traditional" format): headers
/// `Proc-Type: 4,ENCRYPTED` and `DEK-Info: <cipher>,<hex IV>`, key from ``EVPBytesToKey``
/// over the password and the first 8 bytes of the IV.
enum LegacyPEMEncryption {
    /// The `DEK-Info` cipher names we read.
    static let ciphers: [String: CBCCipher] = [
        "AES-128-CBC": .aes128,
        "AES-192-CBC": .aes192,
        "AES-256-CBC": .aes256,
        "DES-CBC": .des,
        "DES-EDE3-CBC": .desEDE3,
    ]

    /// Whether the block carries legacy encryption headers.
    static func isEncrypted(_ block: PEMBlock) -> Bool {
        block.header(named: "Proc-Type") != nil || block.header(named: "DEK-Info") != nil
    }

    /// Decrypts the body of a block with legacy encryption headers.
    static func decrypt(_ block: PEMBlock, password: Data) throws -> [UInt8] {
        guard let procType = block.header(named: "Proc-Type"),
            procType.replacingOccurrences(of: " ", with: "").uppercased() == "4,ENCRYPTED"
        else {
            throw StepCryptoError.malformed("PEM block \(block.type) has DEK-Info without Proc-Type: 4,ENCRYPTED")
        }
        guard let dekInfo = block.header(named: "DEK-Info") else {
            throw StepCryptoError.malformed("PEM block \(block.type) is encrypted but has no DEK-Info header")
        }
        let parts = dekInfo.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            throw StepCryptoError.malformed("DEK-Info header '\(dekInfo)' is not '<cipher>,<iv>'")
        }
        guard let cipher = Self.ciphers[parts[0].uppercased()] else {
            throw StepCryptoError.unsupported("PEM encryption cipher \(parts[0])")
        }
        guard let iv = Self.decodeHex(parts[1]), iv.count == cipher.blockSize else {
            throw StepCryptoError.malformed("DEK-Info IV must be \(cipher.blockSize) bytes of hex")
        }
        let key = EVPBytesToKey.deriveKey(password: Array(password), salt: Array(iv.prefix(8)), keyLength: cipher.keySize)
        return try cipher.decrypt(Array(block.bytes), key: key, iv: iv)
    }

    /// Encrypts `der` into a block of the given type, as Go's `x509.EncryptPEMBlock` does
    /// (lower-case hex IV, random IV).
    static func encrypt(type: String, der: [UInt8], password: Data, cipher: CBCCipher = .aes256) throws -> PEMBlock {
        guard let name = Self.ciphers.first(where: { $0.value == cipher })?.key else {
            throw StepCryptoError.unsupported("PEM encryption cipher \(cipher)")
        }
        let iv = randomBytes(cipher.blockSize)
        let key = EVPBytesToKey.deriveKey(password: Array(password), salt: Array(iv.prefix(8)), keyLength: cipher.keySize)
        let encrypted = try cipher.encrypt(der, key: key, iv: iv)
        return PEMBlock(
            type: type,
            headers: [
                .init(name: "Proc-Type", value: "4,ENCRYPTED"),
                .init(name: "DEK-Info", value: "\(name),\(hexString(iv))"),
            ],
            bytes: Data(encrypted)
        )
    }

    private static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.hexValue(digits[index]), let low = Self.hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Cryptographically secure random bytes from the system generator, drawn eight at a time (one
/// `getrandom` call per eight bytes, not per byte).
public func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count {
        withUnsafeBytes(of: generator.next() as UInt64) { bytes += $0 }
    }
    return Array(bytes.prefix(count))
}
