import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// A CA key held by a KMS plugin, usable wherever swift-certificates signs: the host hashes the
/// to-be-signed bytes and the plugin signs the digest. Signing is asynchronous only (a device
/// or a network is involved); synchronous signing throws.
struct KMSPrivateKey: CustomPrivateKey {
    let manager: KeyManagerPlugin
    /// The key's name as written in ca.json (`pkcs11:id=7331;object=intermediate`).
    let name: String
    let publicKey: Certificate.PublicKey
    let defaultSignatureAlgorithm: Certificate.SignatureAlgorithm

    init(manager: KeyManagerPlugin, name: String, publicKeyDER: [UInt8]) throws {
        self.manager = manager
        self.name = name
        self.publicKey = try Certificate.PublicKey(derEncoded: publicKeyDER)
        self.defaultSignatureAlgorithm = try Self.signatureAlgorithm(for: publicKey, name: name)
    }

    var supportedSignatureAlgorithms: [Certificate.SignatureAlgorithm] { [defaultSignatureAlgorithm] }

    func signSynchronously(bytes: some DataProtocol, signatureAlgorithm: Certificate.SignatureAlgorithm) throws -> Certificate.Signature {
        throw KMSError(code: .unsupported, plugin: manager.name, operation: "sign with \(name)",
                       pluginMessage: "a key held by a key manager signs asynchronously only")
    }

    func signAsynchronously(bytes: some DataProtocol & Sendable,
                            signatureAlgorithm: Certificate.SignatureAlgorithm) async throws -> Certificate.Signature {
        let (algorithm, input) = try Self.request(signatureAlgorithm, bytes: Array(bytes), name: name, plugin: manager.name)
        let signature = try await manager.sign(key: name, algorithm: algorithm, digest: input)
        return try Certificate.Signature(signatureAlgorithm: signatureAlgorithm, signatureBytes: ASN1BitString(bytes: signature[...]))
    }

    /// The ABI algorithm and what it signs: the digest for ECDSA and RSA, the message for Ed25519.
    static func request(_ algorithm: Certificate.SignatureAlgorithm, bytes: [UInt8], name: String,
                        plugin: String) throws -> (KMSSignatureAlgorithm, [UInt8]) {
        switch algorithm {
        case .ecdsaWithSHA256: return (.ecdsaSHA256, Array(SHA256.hash(data: bytes)))
        case .ecdsaWithSHA384: return (.ecdsaSHA384, Array(SHA384.hash(data: bytes)))
        case .ecdsaWithSHA512: return (.ecdsaSHA512, Array(SHA512.hash(data: bytes)))
        case .sha256WithRSAEncryption: return (.rsaPKCS1SHA256, Array(SHA256.hash(data: bytes)))
        case .sha384WithRSAEncryption: return (.rsaPKCS1SHA384, Array(SHA384.hash(data: bytes)))
        case .sha512WithRSAEncryption: return (.rsaPKCS1SHA512, Array(SHA512.hash(data: bytes)))
        case .ed25519: return (.ed25519, bytes)
        default:
            throw KMSError(code: .unsupported, plugin: plugin, operation: "sign with \(name)",
                           pluginMessage: "signature algorithm \(algorithm) is not supported")
        }
    }

    /// step-ca's choice for each key type: ECDSA with the curve's hash, SHA-256 with RSA PKCS#1.
    static func signatureAlgorithm(for key: Certificate.PublicKey, name: String) throws -> Certificate.SignatureAlgorithm {
        if P256.Signing.PublicKey(key) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(key) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(key) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(key) != nil { return .sha256WithRSAEncryption }
        if Curve25519.Signing.PublicKey(key) != nil { return .ed25519 }
        throw KMSError(code: .unsupported, plugin: "kms", operation: "load \(name)",
                       pluginMessage: "the key's type cannot sign certificates")
    }

    // Hashable and PEMSerializable, as CustomPrivateKey requires: a handle has no PEM form.
    static func == (lhs: KMSPrivateKey, rhs: KMSPrivateKey) -> Bool {
        lhs.manager === rhs.manager && lhs.name == rhs.name
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(manager))
        hasher.combine(name)
    }

    static var defaultPEMDiscriminator: String { "PRIVATE KEY" }

    init(derEncoded: ArraySlice<UInt8>) throws {
        throw KMSError(code: .unsupported, plugin: "kms", operation: "read key", pluginMessage: "keys held by a key manager have no DER form")
    }

    func serialize(into coder: inout DER.Serializer) throws {
        throw KMSError(code: .unsupported, plugin: manager.name, operation: "export \(name)",
                       pluginMessage: "a key held by a key manager cannot be exported")
    }
}
