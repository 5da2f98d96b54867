import Crypto
import Foundation
import StepCrypto
import StepConfig

/// What a verified one-time token authorises.
struct TokenAuthorization: Sendable {
    let provisioner: Provisioner
    let claims: JWTClaims
    /// The key under which the token's use is recorded in `used_ott` (jti, else SHA-256 of the token).
    let replayKey: String
    let token: String

    var subject: String { claims.subject ?? "" }

    /// `sans` claim, defaulting to `[sub]`.
    var sans: [String] {
        if let sans = claims.strings(forClaim: "sans"), !sans.isEmpty { return sans }
        return subject.isEmpty ? [] : [subject]
    }

    /// The provisioner as recorded with certificates and in the provisioner extension.
    var recordInfo: CertificateRecords.ProvisionerInfo {
        CertificateRecords.ProvisionerInfo(id: provisioner.id, name: provisioner.name, type: ProvisionerKinds.recordName(provisioner))
    }
}

/// Verifies one-time tokens (reference §2.1–2.2): provisioner lookup from the audience and
/// issuer/kid, signature with the provisioner's key (the key decides the algorithm), issuer,
/// audience, time with one minute of leeway, tokens issued before the CA started, subject.
/// The replay check happens when the certificate is stored, in the same transaction.
struct TokenAuthorizer {
    let authority: Authority

    func authorize(_ token: String, for purpose: TokenPurpose, now: Date = Date()) throws -> TokenAuthorization {
        let parsed: ParsedJWS
        let unverified: JWTClaims
        do {
            parsed = try JWS.parse(token)
            unverified = try parsed.unverifiedClaims()
        } catch {
            throw APIError.unauthorized("error parsing token: \(error)")
        }
        let audiences = authority.audiences(for: purpose)
        let provisioner = try lookup(parsed: parsed, claims: unverified, audiences: audiences)
        if let reason = provisioner.uninitializedReason {
            throw APIError.unauthorized(message: "provisioner \"\(provisioner.name)\" is disabled due to an initialization error",
                                        detail: reason)
        }
        guard case .jwk = provisioner.details, let key = authority.provisioners.jwk(for: provisioner) else {
            throw APIError.unauthorized("provisioner \(provisioner.name) of type \(provisioner.typeName) cannot authorise this token")
        }
        let claims: JWTClaims
        do {
            // The payload was decoded above; once its signature verifies, those are the claims.
            try parsed.verify(with: key)
            claims = unverified
        } catch {
            throw APIError.unauthorized("error verifying token signature for provisioner \(provisioner.name): \(error)")
        }
        guard claims.issuer == provisioner.name else {
            throw APIError.unauthorized("invalid token: issuer \(claims.issuer ?? "") is not \(provisioner.name)")
        }
        do {
            try claims.validateTime(now: now, leeway: 60)
        } catch {
            throw APIError.unauthorized("invalid token: \(error)")
        }
        guard audiences.matchesAny(claims.audience) else {
            throw APIError.unauthorized("invalid token: audience \(claims.audience) is not one of \(audiences.expected)")
        }
        if !authority.config.authority.disableIssuedAtCheck, let issuedAt = claims.issuedAt,
           issuedAt.date < authority.startTime {
            throw APIError.unauthorized("token issued before the CA started (iat \(issuedAt), start \(authority.startTime))")
        }
        guard let subject = claims.subject, !subject.isEmpty else {
            throw APIError.unauthorized("invalid token: subject is empty")
        }
        return TokenAuthorization(provisioner: provisioner, claims: claims, replayKey: ReplayKey.of(parsed, claims: claims),
                                  token: parsed.compact)
    }

    /// step-ca's `LoadByToken`: audience fragment, else `<iss>:<kid>` for JWK.
    private func lookup(parsed: ParsedJWS, claims: JWTClaims, audiences: AudienceSet) throws -> Provisioner {
        let fragment = Audiences.fragment(claims.audience)
        let matched = fragment.map { frag in
            Audiences.matchesAny(claims.audience, audiences.expected.map { "\($0)#\(frag)" })
        } ?? audiences.matchesAny(claims.audience)
        if matched {
            let id = fragment ?? "\(claims.issuer ?? ""):\(parsed.header.keyID ?? "")"
            if let provisioner = authority.provisioners.provisioner(tokenID: id) { return provisioner }
            throw APIError.unauthorized("provisioner \(id) not found")
        }
        if let first = claims.audience.first, let provisioner = authority.provisioners.provisioner(tokenID: first) {
            return provisioner
        }
        throw APIError.unauthorized("invalid token: audience \(claims.audience) does not name this CA")
    }
}

/// The key under which a token's use is recorded in `used_ott`.
enum ReplayKey {
    /// The `jti`, else a hash. Without a jti, step-ca hashes the whole token; we hash the signed
    /// part instead, because an ECDSA signature can be re-encoded (s → n−s) into a second valid
    /// token that would otherwise get a fresh replay key.
    static func of(_ parsed: ParsedJWS, claims: JWTClaims) -> String {
        if let id = claims.id, !id.isEmpty { return id }
        return SHA256.hash(data: parsed.signingInput).map { String(format: "%02x", $0) }.joined()
    }
}

/// Names of provisioner types as step-ca records them.
enum ProvisionerKinds {
    /// `JWK`, `OIDC`, `GCP`, `AWS`, `Azure`, `ACME`, `X5C`, `K8sSA`, `SSHPOP`, `SCEP`, `Nebula`.
    static func recordName(_ provisioner: Provisioner) -> String {
        switch provisioner.details {
        case .jwk: return "JWK"
        case .oidc: return "OIDC"
        case .gcp: return "GCP"
        case .aws: return "AWS"
        case .azure: return "Azure"
        case .acme: return "ACME"
        case .x5c: return "X5C"
        case .k8sSA: return "K8sSA"
        case .sshpop: return "SSHPOP"
        case .scep: return "SCEP"
        case .nebula: return "Nebula"
        }
    }

    /// The integer type of the provisioner extension.
    static func extensionType(_ provisioner: Provisioner) -> Int {
        switch provisioner.details {
        case .jwk: return 1
        case .oidc: return 2
        case .gcp: return 3
        case .aws: return 4
        case .azure: return 5
        case .acme: return 6
        case .x5c: return 7
        case .k8sSA: return 8
        case .sshpop: return 9
        case .scep: return 10
        case .nebula: return 11
        }
    }
}
