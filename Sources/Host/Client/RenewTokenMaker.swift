import Foundation
import StepCrypto
import X509

/// Builds the renew token step-ca accepts in `Authorization: Bearer`.
enum RenewTokenMaker {
    static func make(crtFile: String, keyFile: String, audience: String, now: Date = Date()) throws -> String {
        let chain: [Certificate]
        let key: PrivateKeyMaterial
        do {
            chain = try CertificateFiles.load(crtFile, purpose: "client")
            key = try PrivateKeyFile.read(pem: try Data(contentsOf: URL(fileURLWithPath: keyFile)), password: nil)
        } catch let error as StartupError {
            throw error
        } catch {
            throw StartupError(.key, "cannot read \(keyFile): \(error)")
        }
        let claims = JWTClaims(
            issuer: "step-ca-client/1.0", subject: ClientCertificate.commonName(chain[0]), audience: [audience],
            expiry: NumericDate(now.addingTimeInterval(300)), notBefore: NumericDate(now), issuedAt: NumericDate(now),
            id: TokenCommand.randomHex(32))
        let x5c = JSONValue.array(chain.map { .string(Data(CertificateFiles.der($0)).base64EncodedString()) })
        return try JWS.sign(claims: claims, key: key, additionalHeader: [(name: "x5cInsecure", value: x5c)])
    }
}
