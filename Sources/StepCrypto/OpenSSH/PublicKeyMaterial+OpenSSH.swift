import Foundation

extension PublicKeyMaterial {
    /// The OpenSSH key type name, such as `ecdsa-sha2-nistp256`, `ssh-ed25519` or `ssh-rsa`.
    public var openSSHKeyType: String {
        switch self {
        case .p256: return "ecdsa-sha2-nistp256"
        case .p384: return "ecdsa-sha2-nistp384"
        case .p521: return "ecdsa-sha2-nistp521"
        case .rsa: return "ssh-rsa"
        case .ed25519: return "ssh-ed25519"
        }
    }

    /// The SSH wire encoding of the public key (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4).
    public var openSSHPublicKeyBlob: Data {
        var writer = SSHWireWriter()
        writer.writeString(self.openSSHKeyType)
        switch self {
        case .p256, .p384, .p521:
            guard let (curve, point) = self.ecPoint else { preconditionFailure("ECDSA keys have a point") }
            writer.writeString(curve.sshName)
            writer.writeString(point)
        case .rsa(let key):
            // The primitives of a valid in-memory key are always available.
            let primitives = try? key.getKeyPrimitives()
            writer.writePositiveMPInt(primitives?.publicExponent ?? Data())
            writer.writePositiveMPInt(primitives?.modulus ?? Data())
        case .ed25519(let key):
            writer.writeString(key.rawRepresentation)
        }
        return Data(writer.bytes)
    }

    /// An `authorized_keys` line: `<type> <base64 blob>`, plus ` <comment>` if one is given
    /// (no trailing newline).
    public func openSSHAuthorizedKey(comment: String? = nil) -> String {
        var line = "\(self.openSSHKeyType) \(self.openSSHPublicKeyBlob.base64EncodedString())"
        if let comment, !comment.isEmpty {
            line += " \(comment)"
        }
        return line
    }

    /// Parses the SSH wire encoding of an ECDSA, Ed25519 or RSA public key.
    init(openSSHBlob blob: some Collection<UInt8>) throws {
        var reader = SSHWireReader(blob)
        let type = try reader.readUTF8(what: "public key type")
        self = try Self.readOpenSSHPublicKey(type: type, from: &reader)
        guard reader.isAtEnd else {
            throw StepCryptoError.malformed("OpenSSH public key has trailing data")
        }
    }

    /// Reads the fields after the type name of a public key blob.
    static func readOpenSSHPublicKey(type: String, from reader: inout SSHWireReader) throws -> PublicKeyMaterial {
        switch type {
        case "ssh-ed25519":
            let raw = try reader.readString(what: "Ed25519 public key")
            guard raw.count == 32 else {
                throw StepCryptoError.malformed("Ed25519 public key is \(raw.count) bytes, expected 32")
            }
            do {
                return .ed25519(try .init(rawRepresentation: raw))
            } catch {
                throw StepCryptoError.malformed("invalid Ed25519 public key: \(error)")
            }
        case "ssh-rsa":
            let e = try reader.readPositiveMPInt(what: "RSA exponent")
            let n = try reader.readPositiveMPInt(what: "RSA modulus")
            do {
                return .rsa(try .init(n: Data(n), e: Data(e)))
            } catch {
                throw StepCryptoError.malformed("invalid RSA public key: \(error)")
            }
        default:
            guard type.hasPrefix("ecdsa-sha2-"), let curve = ECCurve(sshName: String(type.dropFirst("ecdsa-sha2-".count))) else {
                throw StepCryptoError.unsupported("OpenSSH key type \(type)")
            }
            let curveName = try reader.readUTF8(what: "ECDSA curve name")
            guard curveName == curve.sshName else {
                throw StepCryptoError.malformed("OpenSSH key type \(type) names curve \(curveName)")
            }
            return try curve.publicKey(sec1Point: Array(try reader.readString(what: "ECDSA public point")))
        }
    }
}
