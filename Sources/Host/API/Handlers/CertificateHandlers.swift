import Foundation
import Hummingbird
import StepConfig
import StepCrypto

/// `POST /sign` (and later `/renew`, `/rekey`, `/revoke`).
enum CertificateHandlers {
    static let sign: APIHandler = { request in
        let body = try await request.request.body.collect(upTo: request.context.maxUploadSize)
        let signRequest = try SignRequest.decode(Array(buffer: body))
        let issued = try await SignService(authority: request.authority).sign(signRequest, log: request.log)
        return SignResponse.response(issued, authority: request.authority)
    }
}

/// `{"crt": PEM, "ca": PEM|null, "certChain": [PEM...], "tlsOptions": {...}}`, status 201.
enum SignResponse {
    /// The body is written straight into one buffer: the leaf's PEM is quoted as it is encoded
    /// (only `\n` needs escaping in PEM text), the other members were quoted once per authority.
    static func response(_ issued: IssuedCertificate, authority: Authority) -> Response {
        let parts = authority.signResponseParts
        let leaf = quotedCertificatePEM(issued.der)
        var body: [UInt8] = []
        body.reserveCapacity(2 * leaf.count + parts.ca.utf8.count + parts.quotedIntermediates.reduce(0) { $0 + $1.utf8.count + 1 }
                             + parts.tlsOptions.utf8.count + 64)
        body += #"{"crt":"#.utf8
        body += leaf
        body += #","ca":"#.utf8
        body += parts.ca.utf8
        body += #","certChain":["#.utf8
        body += leaf
        for intermediate in parts.quotedIntermediates {
            body.append(UInt8(ascii: ","))
            body += intermediate.utf8
        }
        body += #"],"tlsOptions":"#.utf8
        body += parts.tlsOptions.utf8
        body.append(UInt8(ascii: "}"))
        return JSONBody.response(status: .created, body: body)
    }

    /// `"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"` as a JSON string literal:
    /// what quoting the PEM text gives, since base64 and the markers need no other escaping.
    static func quotedCertificatePEM(_ der: [UInt8]) -> [UInt8] {
        let base64 = Array(Data(der).base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(base64.count + base64.count / 32 + 64)
        out += #""-----BEGIN CERTIFICATE-----\n"#.utf8
        var index = 0
        while index < base64.count {
            let end = min(index + 64, base64.count)
            out += base64[index..<end]
            out += #"\n"#.utf8
            index = end
        }
        out += #"-----END CERTIFICATE-----\n""#.utf8
        return out
    }

    /// The parts of a sign response that are the same for every certificate.
    struct ConstantParts: Sendable {
        let ca: String
        let quotedIntermediates: [String]
        let tlsOptions: String

        init(intermediatesPEM: [String], tls: TLSOptions) {
            quotedIntermediates = intermediatesPEM.map(OrderedJSON.quote)
            ca = quotedIntermediates.first ?? "null"
            tlsOptions = OrderedJSON.object([
                ("cipherSuites", .array(tls.cipherSuites.map { .string($0) })),
                ("minVersion", .number(tls.minVersion.rawValue)),
                ("maxVersion", .number(tls.maxVersion.rawValue)),
                ("renegotiation", .bool(tls.renegotiation)),
            ]).compact()
        }
    }
}

/// `POST /renew`, `POST /rekey`, `POST /revoke`.
enum RenewalHandlers {
    static let renew: APIHandler = { request in
        let authority = request.authority
        if let certificate = await ClientCertificate.fromConnection(request.context) {
            let issued = try await RenewService(authority: authority).renew(certificate, viaToken: false, log: request.log)
            return SignResponse.response(issued, authority: authority)
        }
        guard let header = request.request.headers[.authorization], let range = header.range(of: "Bearer ") else {
            throw APIError.badRequest("missing client certificate")
        }
        let token = String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        let certificate = try await RenewToken(authority: authority).verify(token)
        let issued = try await RenewService(authority: authority).renew(certificate, viaToken: true, log: request.log)
        return SignResponse.response(issued, authority: authority)
    }

    static let rekey: APIHandler = { request in
        let authority = request.authority
        guard let certificate = await ClientCertificate.fromConnection(request.context) else {
            throw APIError.badRequest("missing client certificate")
        }
        let body = try await request.request.body.collect(upTo: request.context.maxUploadSize)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw APIError.badRequest("error decoding json")
        }
        guard let pem = GoJSONKeys.value(object, "csr") as? String, !pem.isEmpty else { throw APIError.badRequest("missing csr") }
        guard case .request(let csr, _) = try CSRDecoder.decode(pem: pem) else {
            throw APIError.forbidden(PublicKeyChecks.weakRSAMessage)
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw APIError.badRequest("invalid csr") }
        try PublicKeyChecks.validate(csr.publicKey)
        let issued = try await RenewService(authority: authority).renew(certificate, newKey: csr.publicKey, viaToken: false,
                                                                        log: request.log)
        return SignResponse.response(issued, authority: authority)
    }

    static let revoke: APIHandler = { request in
        let body = try await request.request.body.collect(upTo: request.context.maxUploadSize)
        let revokeRequest = try RevokeService.decode(Array(buffer: body))
        let certificate = revokeRequest.ott.isEmpty ? await ClientCertificate.fromConnection(request.context) : nil
        try await RevokeService(authority: request.authority).revoke(revokeRequest, clientCertificate: certificate, log: request.log)
        return JSONBody.response(status: .ok, json: .object([("status", .string("ok"))]))
    }
}
