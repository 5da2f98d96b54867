import Foundation
import X509
import StepConfig
import StepCrypto

/// `POST /renew` and `POST /rekey` (reference §1.4): a new certificate with the same subject,
/// SANs and extensions (minus the Authority Key Identifier), the same duration, starting now
/// minus the backdate — refused for revoked certificates and as the provisioner's claims say.
struct RenewService {
    let authority: Authority

    /// Renews `old`; with `newKey` (rekey) the public key is replaced and the SKI recomputed.
    func renew(_ old: Certificate, newKey: Certificate.PublicKey? = nil, viaToken: Bool,
               log: RequestLogFields, now: Date = Date()) async throws -> IssuedCertificate {
        let serial = SerialNumbers.decimal(old.serialNumber)
        log.set("serial", serial)
        if try await authority.database.get(DatabaseTables.revokedX509Certs, Array(serial.utf8)) != nil {
            throw APIError.unauthorized("certificate \(serial) has been revoked")
        }
        let data = try await authority.database.get(DatabaseTables.x509CertsData, Array(serial.utf8))
        let provisioner = try resolveProvisioner(old, recorded: data)
        if let provisioner {
            let claims = (try? authority.claims(for: provisioner)) ?? .builtIn
            if claims.disableRenewal {
                throw APIError.unauthorized("renew is disabled for provisioner \"\(provisioner.name)\"")
            }
            if now > old.notValidAfter && !(claims.allowRenewalAfterExpiry && viaToken) {
                throw APIError.unauthorized(message: "certificate expired on \(GoTime.format(old.notValidAfter))",
                                            detail: "certificate \(serial) expired on \(old.notValidAfter)")
            }
        } else if now > old.notValidAfter {
            throw APIError.unauthorized(message: "certificate expired on \(GoTime.format(old.notValidAfter))",
                                        detail: "certificate \(serial) expired")
        }
        if now < old.notValidBefore {
            throw APIError.unauthorized("certificate \(serial) is not yet valid")
        }

        // step-ca does not re-check renewals against the policy; we do, so that tightening the
        // policy also stops certificates issued before from being carried forward.
        if authority.namePolicy.x509 != nil {
            try authority.namePolicy.checkX509(commonName: ClientCertificate.commonName(old), sans: SANSet(certificate: old))
        }

        let backdate = authority.config.authority.backdate.timeInterval
        let start = now.wholeSeconds.addingTimeInterval(-backdate)
        let duration = old.notValidAfter.timeIntervalSince(old.notValidBefore)
        let publicKey = newKey ?? old.publicKey
        var extensions = Certificate.Extensions()
        for item in old.extensions {
            if item.oid == .X509ExtensionID.authorityKeyIdentifier { continue }
            if newKey != nil && item.oid == .X509ExtensionID.subjectKeyIdentifier { continue }
            try extensions.append(item)
        }
        if newKey != nil { try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false)) }
        try extensions.append(Certificate.Extension(authority.leafBuilder.authorityKeyIdentifier, critical: false))
        let material = authority.runtime.material
        let certificate = try await Certificate(
            version: .v3, serialNumber: CertificateFactory.randomSerial(), publicKey: publicKey,
            notValidBefore: start, notValidAfter: start.addingTimeInterval(duration),
            issuer: material.issuer.subject, subject: old.subject,
            signatureAlgorithm: material.signingKey.signatureAlgorithm,
            extensions: extensions, issuerAsyncPrivateKey: material.signingKey.privateKey)

        let record = data ?? CertificateRecords.certificateData(
            provisioner.map { CertificateRecords.ProvisionerInfo(id: $0.id, name: $0.name, type: ProvisionerKinds.recordName($0)) }
                ?? CertificateRecords.ProvisionerInfo(id: "", name: "", type: ""))
        let der = CertificateFiles.der(certificate)
        let newSerial = SerialNumbers.decimal(certificate.serialNumber)
        do {
            _ = try await authority.database.update([
                .set(table: DatabaseTables.x509Certs, key: Array(newSerial.utf8), value: der),
                .set(table: DatabaseTables.x509CertsData, key: Array(newSerial.utf8), value: record),
            ])
        } catch let error as DatabaseError {
            throw APIError.internalError("storing renewed certificate \(newSerial): \(error.message)")
        }
        log.set("serial", newSerial)
        log.set("subject", ClientCertificate.commonName(certificate))
        CertificateLogFields.set(on: log, issuer: material.issuer, publicKey: certificate.publicKey)
        return IssuedCertificate(der: der, serial: newSerial)
    }

    /// The provisioner of a certificate: its `x509_certs_data` record first, else its provisioner
    /// extension by name. nil when the certificate has neither (renewal is then always allowed).
    private func resolveProvisioner(_ certificate: Certificate, recorded: [UInt8]?) throws -> Provisioner? {
        if let recorded,
           let object = try? JSONSerialization.jsonObject(with: Data(recorded)) as? [String: Any],
           let info = object["provisioner"] as? [String: Any], let id = info["id"] as? String,
           let provisioner = authority.provisioners.provisioner(tokenID: id) {
            return provisioner
        }
        guard let marker = ProvisionerExtension(certificate: certificate) else { return nil }
        guard let provisioner = authority.config.authority.provisioners.first(where: { $0.name == marker.name }) else {
            throw APIError.unauthorized("provisioner \(marker.name) of certificate not found")
        }
        return provisioner
    }
}
