import Crypto
import Foundation
import NIOSSL
import StepCrypto

/// Makes one-time tokens the way `step ca token` does: the provisioner's encryptedKey is fetched
/// from the CA's `/provisioners`, decrypted with the password, and signs the claims.
struct ProvisionerTokens {
    let client: CAClient

    func signToken(subject: String, sans: [String], provisioner: String?, passwordFile: String?) async throws -> String {
        try await token(subject: subject, audiencePath: "/1.0/sign", sans: sans, provisioner: provisioner, passwordFile: passwordFile)
    }

    func revokeToken(serial: String, provisioner: String?, passwordFile: String?) async throws -> String {
        try await token(subject: serial, audiencePath: "/1.0/revoke", sans: nil, provisioner: provisioner, passwordFile: passwordFile)
    }

    private func token(subject: String, audiencePath: String, sans: [String]?, provisioner: String?,
                       passwordFile: String?) async throws -> String {
        let response = try await client.get("/provisioners?limit=100")
        guard response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let list = object["provisioners"] as? [[String: Any]] else {
            throw StartupError(.usage, "cannot list the CA's provisioners (\(response.status)): \(response.message)")
        }
        guard let chosen = list.first(where: {
            ($0["type"] as? String)?.uppercased() == "JWK" && (provisioner == nil || $0["name"] as? String == provisioner)
        }), let name = chosen["name"] as? String, let encrypted = chosen["encryptedKey"] as? String else {
            throw StartupError(.usage, "the CA has no JWK provisioner\(provisioner.map { " named \($0)" } ?? "") with an encrypted key")
        }
        guard let passwordFile else {
            throw StartupError(.usage, "--password-file is required to decrypt the key of provisioner \(name)")
        }
        let jwk: JWK
        do {
            jwk = try JWE.decryptJWK(compact: encrypted, password: try PasswordSource.read(file: passwordFile))
        } catch let error as StepCryptoError {
            throw StartupError(.password, "provisioner \(name): \(CAKeyLoader.describe(error))")
        }
        let now = Date()
        var privateClaims: [String: JSONValue] = ["sha": .string(Self.fingerprint(client.root))]
        if let sans { privateClaims["sans"] = .array(sans.map { .string($0) }) }
        let claims = JWTClaims(
            issuer: name, subject: subject, audience: [client.url.absoluteString.trimmingSuffix("/") + audiencePath],
            expiry: NumericDate(now.addingTimeInterval(300)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: TokenCommand.randomHex(32), privateClaims: privateClaims)
        return try JWS.sign(claims: claims, key: try jwk.privateKeyMaterial(), keyID: jwk.keyID)
    }

    /// The hex SHA-256 of a certificate's DER (the `sha` claim step puts into tokens).
    static func fingerprint(_ certificate: NIOSSLCertificate) -> String {
        guard let der = try? certificate.toDERBytes() else { return "" }
        return SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}
