/// A failure to generate, store or read the CRL, with a stable code. Messages name the table,
/// key or row involved; they never contain key material.
struct CRLError: Error, CustomStringConvertible, Sendable {
    struct Code: Hashable, Sendable {
        let rawValue: String
        /// The database could not be read or written.
        static let database = Code(rawValue: "crl-database")
        /// A stored `x509_crl` record or `revoked_x509_certs` row cannot be read.
        static let corruptRecord = Code(rawValue: "crl-corrupt-record")
        /// The CRL could not be encoded or signed.
        static let signing = Code(rawValue: "crl-signing")
        /// Another writer kept replacing the stored CRL while this one was being made.
        static let conflict = Code(rawValue: "crl-conflict")
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}

extension StartupError.Code {
    /// The CRL could not be set up or generated at start-up.
    static let crl = StartupError.Code(rawValue: "crl")
}

extension APIError {
    /// A status outside step-ca's named set (400, 401, 403, 500, 501), with the message step-ca's
    /// `errs.StatusCodeError` gives it: `GET /crl` with CRLs disabled is a 404 of this kind.
    static func unexpectedStatus(_ status: Int, detail: String) -> APIError {
        APIError(status: status,
                 message: "The certificate authority received an unexpected HTTP status code - '\(status)'. Please see the certificate authority logs for more info.",
                 detail: detail)
    }
}
