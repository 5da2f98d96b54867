import Crypto
import _CryptoExtras
import Foundation

/// Password-based JWE (RFC 7516 compact form, RFC 7518 §4.8 PBES2), as step uses for a JWK
/// provisioner's `encryptedKey`.
///
/// Decryption accepts `PBES2-HS256+A128KW`, `PBES2-HS384+A192KW` and `PBES2-HS512+A256KW` with
/// `A128GCM`, `A192GCM`, `A256GCM`, `A128CBC-HS256`, `A192CBC-HS384` or `A256CBC-HS512`.
/// Encryption writes exactly step's form: `PBES2-HS256+A128KW` with `A256GCM`.
public enum JWE {
    /// The smallest PBES2 iteration count (`p2c`) accepted.
    public static let minimumIterations = 1_000
    /// The largest PBES2 iteration count (`p2c`) accepted, so a crafted token cannot pin the CPU.
    public static let maximumIterations = 10_000_000
    /// The iteration count step uses for new keys.
    public static let defaultIterations = 600_000

    private struct ProtectedHeader: Decodable {
        var alg: String
        var enc: String
        var p2c: Int?
        var p2s: String?
        var zip: String?
        var crit: [String]?
    }

    private enum KeyWrap: String {
        case hs256A128KW = "PBES2-HS256+A128KW"
        case hs384A192KW = "PBES2-HS384+A192KW"
        case hs512A256KW = "PBES2-HS512+A256KW"

        var keySize: Int {
            switch self {
            case .hs256A128KW: return 16
            case .hs384A192KW: return 24
            case .hs512A256KW: return 32
            }
        }

        var prf: KDF.Insecure.PBKDF2.HashFunction {
            switch self {
            case .hs256A128KW: return .sha256
            case .hs384A192KW: return .sha384
            case .hs512A256KW: return .sha512
            }
        }

        /// PBKDF2 of the password with salt `alg || 0x00 || p2s`.
        func keyEncryptionKey(password: Data, saltInput: Data, iterations: Int) throws -> SymmetricKey {
            guard iterations >= JWE.minimumIterations, iterations <= JWE.maximumIterations else {
                throw StepCryptoError.outOfRange(
                    "PBES2 iteration count p2c=\(iterations) outside \(JWE.minimumIterations)...\(JWE.maximumIterations)"
                )
            }
            let salt = Data(self.rawValue.utf8) + [0] + saltInput
            return try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: self.prf, outputByteCount: self.keySize, unsafeUncheckedRounds: iterations
            )
        }
    }

    /// Decrypts a compact JWE with a password.
    ///
    /// - Throws: ``StepCryptoError`` with code `malformedInput` (not a 5-part compact JWE, bad base64url
    ///   or JSON, missing `p2c`/`p2s`), `unsupportedAlgorithm` (other `alg`/`enc`, `zip`, `crit`),
    ///   `parameterOutOfRange` (`p2c` outside ``minimumIterations``...``maximumIterations``) or
    ///   `wrongPassword` (key unwrap or content authentication failed).
    public static func decrypt(compact: String, password: Data) throws -> Data {
        let parts = compact.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5 else {
            throw StepCryptoError.malformed("a compact JWE has 5 parts, this has \(parts.count)")
        }
        let headerJSON = try Base64URL.decode(parts[0], what: "JWE protected header")
        let header: ProtectedHeader
        do {
            header = try JSONDecoder().decode(ProtectedHeader.self, from: headerJSON)
        } catch {
            throw StepCryptoError.malformed("invalid JWE protected header: \(error)")
        }
        guard let keyWrap = KeyWrap(rawValue: header.alg) else {
            throw StepCryptoError.unsupported("JWE key management algorithm \(header.alg)")
        }
        guard let content = JWEContentCipher(rawValue: header.enc) else {
            throw StepCryptoError.unsupported("JWE content encryption \(header.enc)")
        }
        guard header.zip == nil else {
            throw StepCryptoError.unsupported("JWE compression \(header.zip ?? "")")
        }
        guard header.crit == nil else {
            throw StepCryptoError.unsupported("JWE critical header parameters \(header.crit ?? [])")
        }
        guard let iterations = header.p2c, let saltText = header.p2s else {
            throw StepCryptoError.malformed("PBES2 JWE header lacks p2c or p2s")
        }
        let saltInput = try Base64URL.decode(saltText, what: "JWE p2s")
        guard saltInput.count >= 8 else {
            throw StepCryptoError.malformed("PBES2 salt input p2s is \(saltInput.count) bytes, at least 8 are required")
        }
        let encryptedKey = try Base64URL.decode(parts[1], what: "JWE encrypted key")
        guard encryptedKey.count == content.keySize + 8 else {
            throw StepCryptoError.malformed("JWE encrypted key is \(encryptedKey.count) bytes, expected \(content.keySize + 8)")
        }
        let iv = try Base64URL.decode(parts[2], what: "JWE IV")
        let ciphertext = try Base64URL.decode(parts[3], what: "JWE ciphertext")
        let tag = try Base64URL.decode(parts[4], what: "JWE tag")

        let kek = try keyWrap.keyEncryptionKey(password: password, saltInput: saltInput, iterations: iterations)
        let cek: SymmetricKey
        do {
            cek = try AES.KeyWrap.unwrap(encryptedKey, using: kek)
        } catch {
            throw StepCryptoError.wrongPassword("JWE key unwrap failed")
        }
        return try content.decrypt(ciphertext: ciphertext, key: cek, iv: iv, tag: tag, aad: Data(parts[0].utf8))
    }

    /// Encrypts with a password exactly as step does: protected header
    /// `{"alg":"PBES2-HS256+A128KW","cty":<contentType>,"enc":"A256GCM","p2c":<iterations>,"p2s":<salt>}`
    /// (keys sorted, `cty` omitted when `nil`), a 16-byte random salt, a random 256-bit content key
    /// wrapped with AES-128-KW, AES-256-GCM with a 96-bit IV, and the header segment as AAD.
    ///
    /// - Throws: ``StepCryptoError/Code/parameterOutOfRange`` if `iterations` is outside
    ///   ``minimumIterations``...``maximumIterations``.
    public static func encrypt(
        plaintext: Data,
        password: Data,
        iterations: Int = JWE.defaultIterations,
        contentType: String? = "jwk+json"
    ) throws -> String {
        let keyWrap = KeyWrap.hs256A128KW
        let content = JWEContentCipher.a256GCM
        let salt = Data(randomBytes(16))
        let kek = try keyWrap.keyEncryptionKey(password: password, saltInput: salt, iterations: iterations)

        var header = OrderedJSONWriter()
        header.add("alg", string: keyWrap.rawValue)
        header.add("cty", string: contentType)
        header.add("enc", string: content.rawValue)
        header.add("p2c", integer: iterations)
        header.add("p2s", string: Base64URL.encode(salt))
        let protected = Base64URL.encode(Data(header.json.utf8))

        let cek = SymmetricKey(size: .bits256)
        let encryptedKey = try AES.KeyWrap.wrap(cek, using: kek)
        let sealed = try content.encryptGCM(plaintext: plaintext, key: cek, aad: Data(protected.utf8))
        return [
            protected,
            Base64URL.encode(encryptedKey),
            Base64URL.encode(sealed.iv),
            Base64URL.encode(sealed.ciphertext),
            Base64URL.encode(sealed.tag),
        ].joined(separator: ".")
    }

    /// Decrypts a JWE whose plaintext is a JWK (such as a provisioner's `encryptedKey`).
    public static func decryptJWK(compact: String, password: Data) throws -> JWK {
        try JWK(jsonData: try Self.decrypt(compact: compact, password: password))
    }

    /// Encrypts a JWK (its ``JWK/jsonData()``) with content type `jwk+json`, as step does.
    public static func encrypt(jwk: JWK, password: Data, iterations: Int = JWE.defaultIterations) throws -> String {
        try Self.encrypt(plaintext: jwk.jsonData(), password: password, iterations: iterations, contentType: "jwk+json")
    }
}
