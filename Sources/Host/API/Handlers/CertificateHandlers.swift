import Foundation
import Hummingbird
import StepConfig

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
    static func response(_ issued: IssuedCertificate, authority: Authority) -> Response {
        let leaf = CertificateFiles.pem(issued.certificate)
        let chain = [leaf] + authority.intermediatesPEM
        let tls = authority.config.tls
        let body = OrderedJSON.object([
            ("crt", .string(leaf)),
            ("ca", chain.count > 1 ? .string(chain[1]) : .null),
            ("certChain", .array(chain.map { .string($0) })),
            ("tlsOptions", .object([
                ("cipherSuites", .array(tls.cipherSuites.map { .string($0) })),
                ("minVersion", .number(tls.minVersion.rawValue)),
                ("maxVersion", .number(tls.maxVersion.rawValue)),
                ("renegotiation", .bool(tls.renegotiation)),
            ])),
        ])
        return JSONBody.response(status: .created, json: body)
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
        guard let pem = object["csr"] as? String, !pem.isEmpty else { throw APIError.badRequest("missing csr") }
        let (csr, _) = try CSRDecoder.decode(pem: pem)
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
