import Crypto
import _CryptoExtras
import SwiftASN1
import Foundation

/// Encrypted PKCS #8 (`EncryptedPrivateKeyInfo`, RFC 5958) with PBES2 (RFC 8018):
/// PBKDF2 (HMAC-SHA1/224/256/384/512) or scrypt, then AES-CBC or (3)DES-CBC.
enum PBES2 {
    /// Iteration counts above this are refused, so a crafted file cannot pin the CPU.
    static let maximumIterations = 10_000_000

    /// The iteration count step uses for new keys.
    static let defaultIterations = 600_000

    private enum KeyDerivation {
        case pbkdf2(salt: [UInt8], iterations: Int, keyLength: Int?, prf: PRF)
        case scrypt(salt: [UInt8], cost: Int, blockSize: Int, parallelism: Int, keyLength: Int?)
    }

    private typealias PRF = KDF.Insecure.PBKDF2.HashFunction

    private static let prfs: [ASN1ObjectIdentifier: PRF] = [
        OID.hmacWithSHA1: .insecureSHA1,
        OID.hmacWithSHA224: .insecureSHA224,
        OID.hmacWithSHA256: .sha256,
        OID.hmacWithSHA384: .sha384,
        OID.hmacWithSHA512: .sha512,
    ]

    private static let ciphers: [ASN1ObjectIdentifier: CBCCipher] = [
        OID.aes128CBC: .aes128,
        OID.aes192CBC: .aes192,
        OID.aes256CBC: .aes256,
        OID.desEDE3CBC: .desEDE3,
        OID.desCBC: .des,
    ]

    /// Decrypts an `EncryptedPrivateKeyInfo`, returning the inner `PrivateKeyInfo` DER.
    static func decrypt(_ der: [UInt8], password: Data) throws -> [UInt8] {
        let (algorithm, encrypted) = try decodingDER("encrypted PKCS #8 key") {
            try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes -> (AlgorithmIdentifierNode, ASN1OctetString) in
                guard let algorithmNode = nodes.next() else {
                    throw StepCryptoError.malformed("encrypted PKCS #8 key has no algorithm")
                }
                return (try AlgorithmIdentifierNode(derEncoded: algorithmNode), try ASN1OctetString(derEncoded: &nodes))
            }
        }
        guard algorithm.algorithm == OID.pbes2 else {
            throw StepCryptoError.unsupported("PKCS #8 encryption scheme \(OID.name(algorithm.algorithm)) (only PBES2 is supported)")
        }
        guard let parameters = algorithm.parameters else {
            throw StepCryptoError.malformed("PBES2 without parameters")
        }
        let (kdf, cipher, iv) = try Self.parseParameters(parameters)
        let key = try Self.deriveKey(kdf, password: password, keyLength: cipher.keySize)
        return try cipher.decrypt(Array(encrypted.bytes), key: key, iv: iv)
    }

    /// Encrypts a `PrivateKeyInfo` with PBKDF2-HMAC-SHA256 and AES-256-CBC, a 16-byte salt
    /// and a 16-byte IV, as step does.
    static func encrypt(_ privateKeyInfo: [UInt8], password: Data, iterations: Int) throws -> [UInt8] {
        guard iterations >= 1, iterations <= Self.maximumIterations else {
            throw StepCryptoError.outOfRange("PBKDF2 iteration count \(iterations) outside 1...\(Self.maximumIterations)")
        }
        let cipher = CBCCipher.aes256
        let salt = randomBytes(16)
        let iv = randomBytes(cipher.blockSize)
        let key = try Self.deriveKey(.pbkdf2(salt: salt, iterations: iterations, keyLength: nil, prf: .sha256), password: password, keyLength: cipher.keySize)
        let encrypted = try cipher.encrypt(privateKeyInfo, key: key, iv: iv)
        return serializingDER { serializer in
            try serializer.appendConstructedNode(identifier: .sequence) { info in
                try info.appendConstructedNode(identifier: .sequence) { algorithm in
                    try algorithm.serialize(OID.pbes2)
                    try algorithm.appendConstructedNode(identifier: .sequence) { pbes2 in
                        try pbes2.appendConstructedNode(identifier: .sequence) { kdf in
                            try kdf.serialize(OID.pbkdf2)
                            try kdf.appendConstructedNode(identifier: .sequence) { params in
                                try params.serialize(ASN1OctetString(contentBytes: ArraySlice(salt)))
                                try params.serialize(iterations)
                                try params.appendConstructedNode(identifier: .sequence) { prf in
                                    try prf.serialize(OID.hmacWithSHA256)
                                    try prf.serialize(ASN1Null())
                                }
                            }
                        }
                        try pbes2.appendConstructedNode(identifier: .sequence) { scheme in
                            try scheme.serialize(OID.aes256CBC)
                            try scheme.serialize(ASN1OctetString(contentBytes: ArraySlice(iv)))
                        }
                    }
                }
                try info.serialize(ASN1OctetString(contentBytes: ArraySlice(encrypted)))
            }
        }
    }

    private static func parseParameters(_ node: ASN1Node) throws -> (KeyDerivation, CBCCipher, [UInt8]) {
        let (kdfNode, schemeNode) = try decodingDER("PBES2 parameters") {
            try DER.sequence(node, identifier: .sequence) { nodes -> (AlgorithmIdentifierNode, AlgorithmIdentifierNode) in
                guard let kdf = nodes.next(), let scheme = nodes.next() else {
                    throw StepCryptoError.malformed("PBES2 parameters are incomplete")
                }
                return (try AlgorithmIdentifierNode(derEncoded: kdf), try AlgorithmIdentifierNode(derEncoded: scheme))
            }
        }

        guard let cipher = Self.ciphers[schemeNode.algorithm] else {
            throw StepCryptoError.unsupported("PBES2 cipher \(OID.name(schemeNode.algorithm))")
        }
        guard let ivNode = schemeNode.parameters else {
            throw StepCryptoError.malformed("PBES2 cipher has no IV")
        }
        let iv = try decodingDER("PBES2 IV") { Array(try ASN1OctetString(derEncoded: ivNode).bytes) }
        guard iv.count == cipher.blockSize else {
            throw StepCryptoError.malformed("PBES2 IV is \(iv.count) bytes, expected \(cipher.blockSize)")
        }

        guard let kdfParameters = kdfNode.parameters else {
            throw StepCryptoError.malformed("PBES2 key derivation has no parameters")
        }
        let kdf: KeyDerivation
        switch kdfNode.algorithm {
        case OID.pbkdf2:
            kdf = try Self.parsePBKDF2(kdfParameters)
        case OID.scrypt:
            kdf = try Self.parseScrypt(kdfParameters)
        default:
            throw StepCryptoError.unsupported("PBES2 key derivation \(OID.name(kdfNode.algorithm))")
        }
        return (kdf, cipher, iv)
    }

    private static func parsePBKDF2(_ node: ASN1Node) throws -> KeyDerivation {
        let (salt, iterations, keyLength, prfNode) = try decodingDER("PBKDF2 parameters") {
            try DER.sequence(node, identifier: .sequence) { nodes -> ([UInt8], Int, Int?, AlgorithmIdentifierNode?) in
                guard let saltNode = nodes.next() else {
                    throw StepCryptoError.malformed("PBKDF2 parameters have no salt")
                }
                guard saltNode.identifier == .octetString else {
                    throw StepCryptoError.unsupported("PBKDF2 salt from another source (only an explicit salt is supported)")
                }
                let salt = Array(try ASN1OctetString(derEncoded: saltNode).bytes)
                let iterations = try Int(derEncoded: &nodes)
                var keyLength: Int? = nil
                var prf: AlgorithmIdentifierNode? = nil
                while let next = nodes.next() {
                    if next.identifier == .integer, keyLength == nil, prf == nil {
                        keyLength = try Int(derEncoded: next)
                    } else if next.identifier == .sequence, prf == nil {
                        prf = try AlgorithmIdentifierNode(derEncoded: next)
                    } else {
                        throw StepCryptoError.malformed("unexpected field in PBKDF2 parameters")
                    }
                }
                return (salt, iterations, keyLength, prf)
            }
        }
        let prfOID = prfNode?.algorithm ?? OID.hmacWithSHA1
        guard let prf = Self.prfs[prfOID] else {
            throw StepCryptoError.unsupported("PBKDF2 pseudo-random function \(OID.name(prfOID))")
        }
        return .pbkdf2(salt: salt, iterations: iterations, keyLength: keyLength, prf: prf)
    }

    private static func parseScrypt(_ node: ASN1Node) throws -> KeyDerivation {
        try decodingDER("scrypt parameters") {
            try DER.sequence(node, identifier: .sequence) { nodes in
                let salt = Array(try ASN1OctetString(derEncoded: &nodes).bytes)
                let cost = try Int(derEncoded: &nodes)
                let blockSize = try Int(derEncoded: &nodes)
                let parallelism = try Int(derEncoded: &nodes)
                let keyLength = try nodes.next().map { try Int(derEncoded: $0) }
                return .scrypt(salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism, keyLength: keyLength)
            }
        }
    }

    private static func deriveKey(_ kdf: KeyDerivation, password: Data, keyLength: Int) throws -> [UInt8] {
        switch kdf {
        case .pbkdf2(let salt, let iterations, let declaredLength, let prf):
            guard iterations >= 1, iterations <= Self.maximumIterations else {
                throw StepCryptoError.outOfRange("PBKDF2 iteration count \(iterations) outside 1...\(Self.maximumIterations)")
            }
            if let declaredLength, declaredLength != keyLength {
                throw StepCryptoError.malformed("PBKDF2 key length \(declaredLength) does not match the cipher's \(keyLength)")
            }
            do {
                let key = try KDF.Insecure.PBKDF2.deriveKey(
                    from: password, salt: salt, using: prf, outputByteCount: keyLength, unsafeUncheckedRounds: iterations
                )
                return key.withUnsafeBytes { Array($0) }
            } catch {
                throw StepCryptoError.unsupported("PBKDF2 with these parameters: \(error)")
            }

        case .scrypt(let salt, let cost, let blockSize, let parallelism, let declaredLength):
            // N must be a power of two; memory (128 * N * r bytes) stays under 256 MiB.
            guard cost > 1, cost <= 1 << 20, cost & (cost - 1) == 0, blockSize >= 1, blockSize <= 32,
                cost * blockSize <= 1 << 21, parallelism >= 1, parallelism <= 16
            else {
                throw StepCryptoError.outOfRange("scrypt parameters N=\(cost) r=\(blockSize) p=\(parallelism) are outside the accepted range")
            }
            if let declaredLength, declaredLength != keyLength {
                throw StepCryptoError.malformed("scrypt key length \(declaredLength) does not match the cipher's \(keyLength)")
            }
            do {
                let key = try KDF.Scrypt.deriveKey(
                    from: password, salt: salt, outputByteCount: keyLength, rounds: cost, blockSize: blockSize,
                    parallelism: parallelism, maxMemory: nil
                )
                return key.withUnsafeBytes { Array($0) }
            } catch {
                throw StepCryptoError.unsupported("scrypt with these parameters: \(error)")
            }
        }
    }
}
