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
