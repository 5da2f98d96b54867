import Crypto
import _CryptoExtras
import Foundation

/// The `openssh-key-v1` private key format (OpenSSH `PROTOCOL.key`), the body of an
/// `OPENSSH PRIVATE KEY` PEM block: unencrypted, or encrypted with bcrypt_pbkdf and
/// AES in CTR, CBC or GCM mode.
enum OpenSSHPrivateKey {
    private static let magic = Array("openssh-key-v1\0".utf8)

    private enum Cipher {
        case none
        case ctr(keySize: Int)
        case cbc(CBCCipher)
        case gcm(keySize: Int)

        init(name: String) throws {
            switch name {
            case "none": self = .none
            case "aes128-ctr": self = .ctr(keySize: 16)
            case "aes192-ctr": self = .ctr(keySize: 24)
            case "aes256-ctr": self = .ctr(keySize: 32)
            case "aes128-cbc": self = .cbc(.aes128)
            case "aes192-cbc": self = .cbc(.aes192)
            case "aes256-cbc": self = .cbc(.aes256)
            case "aes128-gcm@openssh.com": self = .gcm(keySize: 16)
            case "aes256-gcm@openssh.com": self = .gcm(keySize: 32)
            default: throw StepCryptoError.unsupported("OpenSSH key cipher \(name)")
            }
        }

        var keySize: Int {
            switch self {
            case .none: return 0
            case .ctr(let size), .gcm(let size): return size
            case .cbc(let cipher): return cipher.keySize
            }
        }

        var ivSize: Int {
            switch self {
            case .none: return 0
            case .ctr, .cbc: return 16
            case .gcm: return 12
            }
        }

        var blockSize: Int {
            if case .none = self { return 8 }
            return 16
        }

        var tagSize: Int {
            if case .gcm = self { return 16 }
            return 0
        }
    }

    /// Whether the key in this block body is encrypted.
    static func isEncrypted(_ body: Data) throws -> Bool {
        var reader = try Self.reader(body)
        let cipherName = try reader.readUTF8(what: "cipher name")
        return cipherName != "none"
    }

    static func parse(_ body: Data, password: Data?) throws -> PrivateKeyMaterial {
        var reader = try Self.reader(body)
        let cipherName = try reader.readUTF8(what: "cipher name")
        let kdfName = try reader.readUTF8(what: "KDF name")
        let kdfOptions = try reader.readString(what: "KDF options")
        let keyCount = try reader.readUInt32(what: "key count")
        guard keyCount == 1 else {
            throw StepCryptoError.unsupported("OpenSSH file with \(keyCount) keys (exactly one is supported)")
        }
        let publicBlob = try reader.readString(what: "public key")
        let privateSection = try reader.readString(what: "private section")

        let cipher = try Cipher(name: cipherName)
        let plaintext: [UInt8]
        if case .none = cipher {
            guard kdfName == "none" else {
                throw StepCryptoError.malformed("unencrypted OpenSSH key names KDF \(kdfName)")
            }
            plaintext = Array(privateSection)
        } else {
            guard kdfName == "bcrypt" else {
                throw StepCryptoError.unsupported("OpenSSH key derivation \(kdfName)")
            }
            guard let password else {
                throw StepCryptoError.passwordRequired("the OpenSSH private key")
            }
            let tag = try reader.readBytes(cipher.tagSize, what: "authentication tag")
            var options = SSHWireReader(kdfOptions)
            let salt = Array(try options.readString(what: "bcrypt salt"))
            let rounds = try options.readUInt32(what: "bcrypt rounds")
            let derived = try BcryptPBKDF.deriveKey(
                password: Array(password), salt: salt, rounds: Int(rounds), keyLength: cipher.keySize + cipher.ivSize
            )
            plaintext = try Self.decrypt(
                Array(privateSection), cipher: cipher, key: Array(derived.prefix(cipher.keySize)),
                iv: Array(derived.suffix(cipher.ivSize)), tag: Array(tag)
            )
        }
        guard plaintext.count % cipher.blockSize == 0 else {
            throw StepCryptoError.malformed("OpenSSH private section is not a whole number of cipher blocks")
        }

        let encrypted: Bool
        if case .none = cipher { encrypted = false } else { encrypted = true }
        let key = try Self.parsePrivateSection(plaintext, encrypted: encrypted)
        let publicKey = try PublicKeyMaterial(openSSHBlob: publicBlob)
        guard publicKey == key.publicKey else {
            throw StepCryptoError.inconsistent("the OpenSSH public key does not match the private key")
        }
        return key
    }

    private static func reader(_ body: Data) throws -> SSHWireReader {
        var reader = SSHWireReader(body)
        guard (try? reader.readBytes(Self.magic.count, what: "magic")).map(Array.init) == Self.magic else {
            throw StepCryptoError.malformed("OPENSSH PRIVATE KEY block does not start with openssh-key-v1")
        }
        return reader
    }

    private static func decrypt(_ data: [UInt8], cipher: Cipher, key: [UInt8], iv: [UInt8], tag: [UInt8]) throws -> [UInt8] {
        guard data.count % cipher.blockSize == 0 else {
            throw StepCryptoError.malformed("OpenSSH private section is not a whole number of cipher blocks")
        }
        let symmetricKey = SymmetricKey(data: key)
        do {
            switch cipher {
            case .none:
                return data
            case .ctr:
                return Array(try AES._CTR.decrypt(data, using: symmetricKey, nonce: try AES._CTR.Nonce(nonceBytes: iv)))
            case .cbc:
                return Array(try AES._CBC.decrypt(data, using: symmetricKey, iv: try AES._CBC.IV(ivBytes: iv), noPadding: true))
            case .gcm:
                let box = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: iv), ciphertext: data, tag: tag)
                do {
                    return Array(try AES.GCM.open(box, using: symmetricKey))
                } catch {
                    throw StepCryptoError.wrongPassword("authentication tag mismatch")
                }
            }
        } catch let error as StepCryptoError {
            throw error
        } catch {
            throw StepCryptoError.malformed("cannot decrypt the OpenSSH private section: \(error)")
        }
    }

    /// Reads check-ints, the key, the comment and the padding.
    private static func parsePrivateSection(_ plaintext: [UInt8], encrypted: Bool) throws -> PrivateKeyMaterial {
        var reader = SSHWireReader(plaintext)
        let check1 = try reader.readUInt32(what: "check-int")
        let check2 = try reader.readUInt32(what: "check-int")
        guard check1 == check2 else {
            if encrypted {
                throw StepCryptoError.wrongPassword("check-int mismatch after decryption")
            }
            throw StepCryptoError.malformed("OpenSSH private section check-ints differ")
        }
        let type = try reader.readUTF8(what: "private key type")
        let key = try Self.readPrivateKey(type: type, from: &reader)
        _ = try reader.readString(what: "comment")
        for (index, byte) in reader.rest.enumerated() where Int(byte) != index + 1 {
            throw StepCryptoError.malformed("OpenSSH private section has bad padding")
        }
        return key
    }

    private static func readPrivateKey(type: String, from reader: inout SSHWireReader) throws -> PrivateKeyMaterial {
        switch type {
        case "ssh-ed25519":
            let publicKey = try reader.readString(what: "Ed25519 public key")
            let secret = try reader.readString(what: "Ed25519 private key")
            guard publicKey.count == 32, secret.count == 64, secret.suffix(32).elementsEqual(publicKey) else {
                throw StepCryptoError.malformed("Ed25519 key fields have the wrong sizes")
            }
            let key: Curve25519.Signing.PrivateKey
            do {
                key = try Curve25519.Signing.PrivateKey(rawRepresentation: secret.prefix(32))
            } catch {
                throw StepCryptoError.malformed("invalid Ed25519 private key: \(error)")
            }
            guard key.publicKey.rawRepresentation.elementsEqual(publicKey) else {
                throw StepCryptoError.inconsistent("the Ed25519 public key does not match the private key")
            }
            return .ed25519(key)

        case "ssh-rsa":
            let n = try reader.readPositiveMPInt(what: "RSA modulus")
            let e = try reader.readPositiveMPInt(what: "RSA exponent")
            let d = try reader.readPositiveMPInt(what: "RSA private exponent")
            _ = try reader.readPositiveMPInt(what: "RSA iqmp")
            let p = try reader.readPositiveMPInt(what: "RSA prime p")
            let q = try reader.readPositiveMPInt(what: "RSA prime q")
            return try PKCS1.privateKey(n: n, e: e, d: d, p: p, q: q)

        default:
            guard type.hasPrefix("ecdsa-sha2-"), let curve = ECCurve(sshName: String(type.dropFirst("ecdsa-sha2-".count))) else {
                throw StepCryptoError.unsupported("OpenSSH key type \(type)")
            }
            let curveName = try reader.readUTF8(what: "ECDSA curve name")
            guard curveName == curve.sshName else {
                throw StepCryptoError.malformed("OpenSSH key type \(type) names curve \(curveName)")
            }
            let point = Array(try reader.readString(what: "ECDSA public point"))
            let scalar = try reader.readPositiveMPInt(what: "ECDSA private scalar")
            let key = try curve.privateKey(scalar: scalar)
            guard try curve.publicKey(sec1Point: point) == key.publicKey else {
                throw StepCryptoError.inconsistent("the ECDSA public point does not match the private key")
            }
            return key
        }
    }
}
