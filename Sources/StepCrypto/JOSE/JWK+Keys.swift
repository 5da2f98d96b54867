import Crypto
import _CryptoExtras
import Foundation

extension JWK {
    /// Creates a public JWK as step does: `use` `sig`, the algorithm conventional for the key
    /// (see ``defaultAlgorithm(for:)``) and, unless `keyID` is given, the RFC 7638 thumbprint as `kid`.
    /// Change the properties afterwards for anything else.
    public init(publicKey: PublicKeyMaterial, keyID: String? = nil) {
        switch publicKey {
        case .p256, .p384, .p521:
            guard let (curve, point) = publicKey.ecPoint else { preconditionFailure("ECDSA keys have a point") }
            let coordinates = point.dropFirst()
            self.init(
                keyType: "EC", curve: curve.jwkName,
                x: Data(coordinates.prefix(curve.byteCount)), y: Data(coordinates.suffix(curve.byteCount))
            )
        case .rsa(let key):
            // The primitives of a valid in-memory key are always available.
            let primitives = try? key.getKeyPrimitives()
            self.init(
                keyType: "RSA",
                n: Data(trimmedUnsigned(primitives?.modulus ?? Data())),
                e: Data(trimmedUnsigned(primitives?.publicExponent ?? Data()))
            )
        case .ed25519(let key):
            self.init(keyType: "OKP", curve: "Ed25519", x: key.rawRepresentation)
        }
        self.use = "sig"
        self.algorithm = Self.defaultAlgorithm(for: publicKey)
        // The thumbprint of a key built from valid material always exists.
        self.keyID = keyID ?? (try? self.thumbprint())
    }

    /// Creates a private JWK with the same defaults as ``init(publicKey:keyID:)``.
    public init(privateKey: PrivateKeyMaterial, keyID: String? = nil) {
        self.init(publicKey: privateKey.publicKey, keyID: keyID)
        switch privateKey {
        case .p256, .p384, .p521:
            self.d = privateKey.ecScalar.map { Data($0.scalar) }
        case .rsa(let key):
            let parts = key.components
            self.d = Data(parts.d)
            self.p = Data(parts.p)
            self.q = Data(parts.q)
            self.dp = Data(parts.dp)
            self.dq = Data(parts.dq)
            self.qi = Data(parts.qi)
        case .ed25519(let key):
            self.d = key.rawRepresentation
        }
    }

    /// The conventional JWS algorithm for a key: `ES256`, `ES384`, `ES512`, `RS256` or `EdDSA`.
    public static func defaultAlgorithm(for key: PublicKeyMaterial) -> String {
        switch key {
        case .p256: return "ES256"
        case .p384: return "ES384"
        case .p521: return "ES512"
        case .rsa: return "RS256"
        case .ed25519: return "EdDSA"
        }
    }

    /// The public key, for verifying signatures.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` for missing or wrong-sized members,
    ///   ``StepCryptoError/Code/unsupportedAlgorithm`` for other key types and curves.
    public func publicKeyMaterial() throws -> PublicKeyMaterial {
        switch self.keyType {
        case "EC":
            let curve = try self.ecCurve()
            let x = try self.member(self.x, "x", length: curve.byteCount)
            let y = try self.member(self.y, "y", length: curve.byteCount)
            return try curve.publicKey(sec1Point: [0x04] + x + y)
        case "RSA":
            let n = trimmedUnsigned(try self.member(self.n, "n"))
            let e = trimmedUnsigned(try self.member(self.e, "e"))
            try PKCS1.checkModulusSize(n)
            do {
                return .rsa(try _RSA.Signing.PublicKey(n: Data(n), e: Data(e)))
            } catch {
                throw StepCryptoError.malformed("invalid RSA JWK: \(error)")
            }
        case "OKP":
            try self.checkEd25519()
            let x = try self.member(self.x, "x", length: 32)
            do {
                return .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            } catch {
                throw StepCryptoError.malformed("invalid Ed25519 JWK: \(error)")
            }
        default:
            throw StepCryptoError.unsupported("JWK key type \(self.keyType)")
        }
    }

    /// The private key.
    ///
    /// - Throws: as ``publicKeyMaterial()``, plus ``StepCryptoError/Code/malformedInput`` if the key
    ///   is public only and ``StepCryptoError/Code/inconsistentKey`` if the public members do not
    ///   match the private ones.
    public func privateKeyMaterial() throws -> PrivateKeyMaterial {
        guard self.d != nil else {
            throw StepCryptoError.malformed("the JWK has no private members")
        }
        let publicKey = try self.publicKeyMaterial()
        let key: PrivateKeyMaterial
        switch self.keyType {
        case "EC":
            let curve = try self.ecCurve()
            key = try curve.privateKey(scalar: try self.member(self.d, "d", length: curve.byteCount))
        case "RSA":
            key = try PKCS1.privateKey(
                n: trimmedUnsigned(try self.member(self.n, "n")), e: trimmedUnsigned(try self.member(self.e, "e")),
                d: trimmedUnsigned(try self.member(self.d, "d")), p: trimmedUnsigned(try self.member(self.p, "p")),
                q: trimmedUnsigned(try self.member(self.q, "q"))
            )
        default:
            do {
                key = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: try self.member(self.d, "d", length: 32)))
            } catch let error as StepCryptoError {
                throw error
            } catch {
                throw StepCryptoError.malformed("invalid Ed25519 JWK: \(error)")
            }
        }
        guard key.publicKey == publicKey else {
            throw StepCryptoError.inconsistent("the JWK's public members do not match its private key")
        }
        return key
    }

    private func ecCurve() throws -> ECCurve {
        guard let name = self.curve else {
            throw StepCryptoError.malformed("EC JWK has no crv")
        }
        guard let curve = ECCurve(jwkName: name) else {
            throw StepCryptoError.unsupported("JWK curve \(name)")
        }
        return curve
    }

    private func checkEd25519() throws {
        guard let name = self.curve else {
            throw StepCryptoError.malformed("OKP JWK has no crv")
        }
        guard name == "Ed25519" else {
            throw StepCryptoError.unsupported("JWK curve \(name)")
        }
    }

    private func member(_ value: Data?, _ name: String, length: Int? = nil) throws -> [UInt8] {
        guard let value, !value.isEmpty else {
            throw StepCryptoError.malformed("\(self.keyType) JWK has no \(name)")
        }
        if let length, value.count != length {
            throw StepCryptoError.malformed("JWK member \(name) is \(value.count) bytes, expected \(length)")
        }
        return Array(value)
    }
}
