import Foundation
import X509
import StepConfig

/// `POST /revoke` (reference §1.2 RevokeRequest): passive revocation recorded in
/// `revoked_x509_certs`, authorised by a revoke token whose subject is the serial, or by the
/// certificate itself over mTLS.
struct RevokeService {
    let authority: Authority

    struct Request {
        var serial: String
        var ott: String
        var reasonCode: Int
        var reason: String
        var passive: Bool
    }

    private struct Body: Decodable {
        var serial: String?
        var ott: String?
        var reasonCode: Int?
        var reason: String?
        var passive: Bool?
    }

    private static let bodyDecoder = GoJSONKeys.decoder(fields: ["serial", "ott", "reasonCode", "reason", "passive"])

    /// Decodes the body strictly by type, ignoring unknown members and the case of names, as Go's
    /// decoder does.
    static func decode(_ body: [UInt8]) throws -> Request {
        guard let decoded = try? bodyDecoder.decode(Body.self, from: Data(body)) else {
            throw APIError.badRequest("error decoding json")
        }
        return Request(serial: decoded.serial ?? "", ott: decoded.ott ?? "", reasonCode: decoded.reasonCode ?? 0,
                       reason: decoded.reason ?? "", passive: decoded.passive ?? false)
    }

    func revoke(_ request: Request, clientCertificate: Certificate?, log: RequestLogFields, now: Date = Date()) async throws {
        guard !request.serial.isEmpty else { throw APIError.badRequest("missing serial") }
        guard let serial = SerialNumbers.normalise(request.serial) else {
            throw APIError.badRequest("'\(request.serial)' is not a valid serial number - use a base 10 representation or a base 16 representation with '0x' prefix")
        }
        guard (0...10).contains(request.reasonCode) else {
            throw APIError.badRequest("reasonCode out of bounds")
        }
        guard request.passive else {
            throw APIError.unsupportedFeature("non-passive revocation not implemented")
        }
        guard authority.database.isPersistent else {
            throw APIError.unsupportedFeature("revocation needs a database")
        }
        log.set("serial", serial)
        log.set("reasonCode", String(request.reasonCode))
        var operations: [KVOperation] = []
        var provisionerID = ""
        var tokenID = ""
        var mTLS = false
        if !request.ott.isEmpty {
            let authorization = try TokenAuthorizer(authority: authority).authorize(request.ott, for: .revoke, now: now)
            guard authorization.subject == serial else {
                throw APIError.forbidden("token subject \(authorization.subject) is not the serial \(serial)")
            }
            provisionerID = authorization.provisioner.id
            tokenID = authorization.claims.id ?? ""
            log.set("provisioner", authorization.provisioner.name)
            operations.append(.compareAndSwap(table: DatabaseTables.usedOTT, key: Array(authorization.replayKey.utf8), old: [],
                                              new: Array(authorization.token.utf8), abortOnMismatch: true))
        } else if let clientCertificate {
            guard SerialNumbers.decimal(clientCertificate.serialNumber) == serial else {
                throw APIError.badRequest("serial number in client certificate different than body")
            }
            mTLS = true
            if let marker = ProvisionerExtension(certificate: clientCertificate),
               let provisioner = authority.config.authority.provisioners.first(where: { $0.name == marker.name }) {
                provisionerID = provisioner.id
            }
        } else {
            throw APIError.badRequest("missing ott or client certificate")
        }
        let stored = try await authority.database.get(DatabaseTables.x509Certs, Array(serial.utf8))
        let expiresAt = stored.flatMap { try? Certificate(derEncoded: $0) }?.notValidAfter ?? clientCertificate?.notValidAfter
        let record = CertificateRecords.revocation(
            serial: serial, provisionerID: provisionerID, reasonCode: request.reasonCode, reason: request.reason,
            revokedAt: now, expiresAt: expiresAt, tokenID: tokenID, mTLS: mTLS)
        operations.append(.compareAndSwap(table: DatabaseTables.revokedX509Certs, key: Array(serial.utf8), old: [],
                                          new: record, abortOnMismatch: true))
        do {
            _ = try await authority.database.update(operations)
        } catch let error as DatabaseError where error.code == .conflict {
            if error.operationIndex == operations.count - 1 {
                throw APIError.badRequest("certificate with serial number '\(serial)' is already revoked")
            }
            throw APIError.unauthorized("token already used")
        } catch let error as DatabaseError {
            throw APIError.internalError("recording revocation of \(serial): \(error.message)")
        }
        // With crl.generateOnRevoke the CRL lists the revocation before the answer (a failure
        // is a 500, the revocation staying recorded, as with step-ca).
        do {
            try await CRLGenerator.shared.afterRevocation(authority)
        } catch {
            throw APIError.internalError("regenerating the CRL after revoking \(serial): \(error)")
        }
    }
}
