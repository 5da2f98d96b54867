import Foundation
import Hummingbird
import StepCrypto

/// `GET /crl` and `GET /1.0/crl` (reference §8): the stored CRL, DER or (with a `pem` query
/// key) PEM, with `Expires` = nextUpdate. Served on the HTTPS listener and the plain-HTTP one.
enum CRLHandlers {
    static let crl: APIHandler = { request in
        let authority = request.authority
        guard let config = authority.config.crl, config.enabled else {
            throw APIError.unexpectedStatus(404, detail: "Certificate Revocation Lists are not enabled")
        }
        guard authority.database.isPersistent else {
            throw APIError.unsupportedFeature("the database does not support Certificate Revocation Lists")
        }
        let stored: [UInt8]?
        do {
            stored = try await authority.database.get(CRLRecord.table, CRLRecord.key)
        } catch let error as DatabaseError {
            throw APIError.internalError("reading the CRL: \(error.message)")
        }
        guard let stored, !stored.isEmpty else {
            throw APIError.internalError("no CRL in table \"\(CRLRecord.table)\"")
        }
        let record: CRLRecord
        do {
            record = try CRLRecord.decode(stored)
        } catch {
            throw APIError.internalError("\(error)")
        }
        return response(record, pem: wantsPEM(request.request.uri.query))
    }

    /// The CRL answer. A zero expiry (never written by step-ca) is reported as now.
    static func response(_ record: CRLRecord, pem: Bool, now: Date = Date()) -> Response {
        let expires = record.expiresAt == CRLTime.goZeroSeconds ? Int64(floor(now.timeIntervalSince1970)) : record.expiresAt
        var headers: HTTPFields = [.expires: CRLTime.rfc1123(expires)]
        let body: ByteBuffer
        if pem {
            headers[.contentType] = "application/x-pem-file"
            headers[.contentDisposition] = "attachment; filename=\"crl.pem\""
            body = ByteBuffer(string: PEMBlock(type: "X509 CRL", bytes: Data(record.der)).encoded)
        } else {
            headers[.contentType] = "application/pkix-crl"
            headers[.contentDisposition] = "attachment; filename=\"crl.crl\""
            body = ByteBuffer(bytes: record.der)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// Whether the query has a `pem` key, with or without a value (Go's `Query()["pem"]`).
    static func wantsPEM(_ query: String?) -> Bool {
        guard let query, !query.isEmpty else { return false }
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let rawKey = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let key = rawKey.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(rawKey)
            if key == "pem" { return true }
        }
        return false
    }
}
