import Foundation
import X509

extension Authority {
    /// Stores a new certificate with its provisioner data and, when given, the one-time token's
    /// use — one transaction. A token already used fails the whole write with 401 and nothing is
    /// stored; any other database failure is a 500. Only after this returns may the certificate
    /// be handed out.
    /// `insertOnly`: the serial was chosen, not random; an existing record under it is a 500,
    /// never overwritten.
    func record(_ leaf: SignedLeaf, provisioner: CertificateRecords.ProvisionerInfo,
                usedToken: (key: String, token: String)?, insertOnly: Bool = false) async throws -> IssuedCertificate {
        let der = leaf.der
        let serial = SerialNumbers.decimal(leaf.serial[...])
        let operations = CertificateRecords.issuance(serial: serial, der: der, provisioner: provisioner, usedToken: usedToken,
                                                     insertOnly: insertOnly)
        do {
            _ = try await database.update(operations)
        } catch let error as DatabaseError where error.code == .conflict && usedToken != nil && error.operationIndex == 0 {
            throw APIError.unauthorized("token already used")
        } catch let error as DatabaseError where error.code == .conflict && insertOnly {
            throw APIError.internalError("storing certificate \(serial): a certificate with this serial number exists")
        } catch let error as DatabaseError {
            throw APIError.internalError("storing certificate \(serial): \(error.message)")
        }
        return IssuedCertificate(der: der, serial: serial)
    }
}

extension Authority {
    /// Records a one-time token as used; false when it had been used already.
    func spend(token: String, replayKey: String) async throws -> Bool {
        try await database.compareAndSwap(DatabaseTables.usedOTT, Array(replayKey.utf8), old: [], new: Array(token.utf8)).swapped
    }
}
