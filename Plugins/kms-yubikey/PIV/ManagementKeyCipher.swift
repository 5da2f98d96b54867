import Crypto
import _CryptoExtras
import PluginKit

/// Encrypts and decrypts single blocks with the management key (3DES or AES, ECB), for the
/// mutual authentication with the card.
struct ManagementKeyCipher {
    let algorithm: ManagementKeyAlgorithm
    private let key: [UInt8]

    init(algorithm: ManagementKeyAlgorithm, key: [UInt8]) throws {
        guard key.count == algorithm.keyLength else {
            throw PluginError.invalidArgument("the card's management key is \(algorithm) and needs \(algorithm.keyLength) bytes, the configured key has \(key.count)")
        }
        self.algorithm = algorithm
        self.key = key
    }

    func encrypt(_ block: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .tripleDES:
            guard let cipher = TripleDES(key: key) else { throw PluginError.internal("3DES key setup failed") }
            return cipher.encrypt(block)
        default:
            var buffer = block
            try AES.permute(&buffer, key: SymmetricKey(data: key))
            return buffer
        }
    }

    func decrypt(_ block: [UInt8]) throws -> [UInt8] {
        switch algorithm {
        case .tripleDES:
            guard let cipher = TripleDES(key: key) else { throw PluginError.internal("3DES key setup failed") }
            return cipher.decrypt(block)
        default:
            var buffer = block
            try AES.inversePermute(&buffer, key: SymmetricKey(data: key))
            return buffer
        }
    }
}
