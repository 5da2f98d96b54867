import Foundation
import SwiftASN1
import X509
import StepConfig
import StepCrypto

/// A certificate the CA issued and recorded: its DER and decimal serial number.
struct IssuedCertificate: Sendable {
    let der: [UInt8]
    let serial: String
}

/// `POST /sign`: authorise the token, check the CSR against it, compute the validity, build and
/// sign the leaf, and store it with the token's use in one durable transaction.
struct SignService {
    let authority: Authority

    func sign(_ request: SignRequest, log: RequestLogFields, now: Date = Date()) async throws -> IssuedCertificate {
        if let bits = request.weakRSABits {
            // The CSR is well-formed but its RSA key is too small for our parser to accept.
            guard !request.ott.isEmpty else { throw APIError.badRequest("missing ott") }
            let authorization = try TokenAuthorizer(authority: authority).authorize(request.ott, for: .sign, now: now)
            _ = try? await authority.spend(token: authorization.token, replayKey: authorization.replayKey)
            throw APIError.forbidden(PublicKeyChecks.weakRSAMessage, detail: "RSA key of \(bits) bits")
        }
        let (csr, _) = try request.validated()
        let authorization = try TokenAuthorizer(authority: authority).authorize(request.ott, for: .sign, now: now)
        let provisioner = authorization.provisioner
        log.set("provisioner", "\(provisioner.name) (\(provisioner.id.split(separator: ":").last.map(String.init) ?? ""))")
        do {
            return try await issue(request, csr: csr, authorization: authorization, log: log, now: now)
        } catch let error as APIError where error.status != 401 && error.status != 500 {
            // step-ca spends a token when it authorises it, before checking the request: a token
            // refused for its CSR or validity cannot be tried again.
            _ = try? await authority.spend(token: authorization.token, replayKey: authorization.replayKey)
            throw error
        }
    }

    private func issue(_ request: SignRequest, csr: CertificateSigningRequest, authorization: TokenAuthorization,
                       log: RequestLogFields, now: Date) async throws -> IssuedCertificate {
        let provisioner = authorization.provisioner

        try CSRChecks.commonName(csr, expected: authorization.subject)
        try PublicKeyChecks.validate(csr.publicKey)
        let sans = SANSet(strings: authorization.sans)
        try CSRChecks.sans(csr, expected: sans)

        let claims: EffectiveClaims
        do {
            claims = try authority.claims(for: provisioner)
        } catch {
            throw APIError.unauthorized(message: "provisioner \"\(provisioner.name)\" is disabled due to an initialization error",
                                        detail: error.description)
        }
        let extensionValue = claims.disableSmallstepExtensions ? nil : ProvisionerExtension(
            type: ProvisionerKinds.extensionType(provisioner), name: provisioner.name,
            credentialID: authority.provisioners.jwk(for: provisioner)?.keyID ?? "")
        let backdate = authority.config.authority.backdate.timeInterval
        let validity: Validity
        let leaf: SignedLeaf
        var chosenSerial = false
        if let template = try LeafTemplating.render(request, csr: csr, authorization: authorization, authority: authority) {
            validity = try Validity.compute(
                requestedNotBefore: request.notBefore, requestedNotAfter: request.notAfter,
                templateNotBefore: template.notBefore, templateNotAfter: template.notAfter,
                durations: claims.tls, backdate: backdate, now: now)
            try authority.namePolicy.checkX509(
                commonName: template.rawSubject == nil ? template.subject.fields.commonName : nil, dnsNames: template.dnsNames,
                ipAddresses: template.ipAddresses, emailAddresses: template.emailAddresses, uris: template.uris)
            leaf = SignedLeaf(try await authority.leafBuilder.build(template: template, publicKey: csr.publicKey,
                                                                    validity: validity, provisionerExtension: extensionValue))
            chosenSerial = template.serialNumber != nil
        } else {
            // step-ca's default leaf template, built directly: the same certificate without rendering.
            validity = try Validity.compute(
                requestedNotBefore: request.notBefore, requestedNotAfter: request.notAfter, durations: claims.tls,
                backdate: backdate, now: now)
            try authority.namePolicy.checkX509(commonName: authorization.subject, sans: sans)
            leaf = try await authority.leafBuilder.build(LeafBuilder.Request(
                subject: try SubjectNames.commonName(authorization.subject), sans: sans,
                publicKey: csr.publicKey, validity: validity, provisionerExtension: extensionValue,
                keyInfo: DefaultLeafEncoder.canonicalKeyInfo(inCSR: request.csrDER)))
        }
        let issued = try await authority.record(leaf, provisioner: authorization.recordInfo,
                                                usedToken: (authorization.replayKey, authorization.token), insertOnly: chosenSerial)
        log.set("serial", issued.serial)
        log.set("subject", authorization.subject)
        CertificateLogFields.set(on: log, issuer: authority.runtime.material.issuer, publicKey: csr.publicKey)
        log.set("valid-from", GoTime.format(validity.notBefore))
        log.set("valid-to", GoTime.format(validity.notAfter))
        return issued
    }
}

/// step-ca's CSR validators for JWK-authorised requests.
enum CSRChecks {
    /// The CSR's common name, when set, must be the token's subject.
    static func commonName(_ csr: CertificateSigningRequest, expected: String) throws {
        let names = csr.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }
        guard let value = names.first.map({ String(describing: $0.value) }), !value.isEmpty else { return }
        guard value == expected else {
            throw APIError.forbidden("certificate request does not contain the valid common name - got \(value), want \(expected)")
        }
    }

    /// Each kind of SAN in the CSR, when present, must equal (as a set) the token's.
    static func sans(_ csr: CertificateSigningRequest, expected: SANSet) throws {
        let got = SANSet(csr: csr)
        func check(_ got: [String], _ want: [String], _ kind: String) throws {
            guard !got.isEmpty else { return }
            guard Set(got) == Set(want) else {
                throw APIError.forbidden("certificate request does not contain the valid \(kind) - got \(goList(got)), want \(goList(want))")
            }
        }
        try check(got.dnsNames, expected.dnsNames, "DNS names")
        try check(got.emailAddresses, expected.emailAddresses, "email addresses")
        try check(got.ipStrings, expected.ipStrings, "IP addresses")
        try check(got.uris, expected.uris, "URIs")
    }

    /// Go's `%v` of a string slice: `[a b]`.
    static func goList(_ values: [String]) -> String { "[" + values.joined(separator: " ") + "]" }
}

/// Subject names encoded as Go's encoding/asn1 encodes them: PrintableString when every
/// character allows it, else UTF8String.
enum SubjectNames {
    static func commonName(_ name: String) throws -> DistinguishedName {
        if let attribute = try? RelativeDistinguishedName.Attribute(type: .RDNAttributeType.commonName, printableString: name) {
            return DistinguishedName([RelativeDistinguishedName(attribute)])
        }
        return try DistinguishedName { CommonName(name) }
    }
}
