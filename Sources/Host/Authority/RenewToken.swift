import Foundation
import X509
import StepCrypto

/// The `Authorization: Bearer` renew token (reference §1.4): a JWS signed by the certificate's
/// own key, with the certificate chain in the `x5cInsecure` header. The chain is checked against
/// the roots at the leaf's expiry minus a minute, so an expired certificate can still prove
/// possession (the provisioner's `allowRenewalAfterExpiry` decides whether it may renew).
struct RenewToken {
    let authority: Authority

    func verify(_ token: String, now: Date = Date()) async throws -> Certificate {
        let parsed: ParsedJWS
        do {
            parsed = try JWS.parse(token)
        } catch {
            throw APIError.unauthorized("error parsing renew token: \(error)")
        }
        guard let encoded = parsed.header["x5cInsecure"]?.stringArrayValue, !encoded.isEmpty else {
            throw APIError.unauthorized("renew token has no x5cInsecure header")
        }
        let chain: [Certificate] = try encoded.map { text in
            guard let der = Data(base64Encoded: text), let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw APIError.unauthorized("renew token: x5cInsecure holds an invalid certificate")
            }
            return certificate
        }
        let leaf = chain[0]
        guard await ClientCertificate.verifyChain(chain, authority: authority, at: leaf.notValidAfter.addingTimeInterval(-60)) else {
            throw APIError.unauthorized("renew token: certificate chain does not verify against the roots")
        }
        if let usage = try? leaf.extensions.extendedKeyUsage, !usage.contains(.clientAuth), !usage.contains(.any) {
            throw APIError.unauthorized("renew token: certificate is not valid for client authentication")
        }
        if let usage = try? leaf.extensions.keyUsage, !usage.digitalSignature {
            throw APIError.unauthorized("renew token: certificate key usage lacks digitalSignature")
        }
        let claims: JWTClaims
        do {
            claims = try parsed.verifiedClaims(with: try PublicKeyMaterial(leaf.publicKey))
            try claims.validateTime(now: now, leeway: 60)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.unauthorized("renew token: \(error)")
        }
        guard claims.subject == ClientCertificate.commonName(leaf) else {
            throw APIError.unauthorized("renew token: subject \(claims.subject ?? "") is not the certificate's common name")
        }
        let audiences = authority.audiences(for: .renew)
        guard audiences.matchesAny(claims.audience) else {
            // step-ca answers an audience mismatch here with a 500.
            throw APIError.internalError("renew token: audience \(claims.audience) is not one of \(audiences.expected)")
        }
        let provisionerName = ProvisionerExtension(certificate: leaf)?.name
        guard claims.issuer == "step-ca-client/1.0" || (provisionerName != nil && claims.issuer == provisionerName) else {
            throw APIError.unauthorized("renew token: issuer \(claims.issuer ?? "") is not accepted")
        }
        guard try await authority.spend(token: parsed.compact, replayKey: ReplayKey.of(parsed, claims: claims)) else {
            throw APIError.unauthorized("token already used")
        }
        return leaf
    }
}
