import Foundation
import SwiftASN1
import X509

/// Turns one `x509_certs` entry, its `x509_certs_data` value and its revocation into an
/// ``ExportRecord``. Never throws: a certificate that does not parse becomes a record with
/// ``ExportRecord/error`` set.
struct CertificateRecordReader: Sendable {
    /// The time that decides `active` versus `expired`.
    let now: Date

    func record(serial: [UInt8], der: [UInt8], data: [UInt8]?, revocation: ExportRecord.Revocation?) -> ExportRecord {
        var record = ExportRecord(serial: String(decoding: serial, as: UTF8.self))
        record.revocation = revocation
        record.provisioner = data.flatMap(Self.provisioner(data:))
        if revocation != nil { record.status = .revoked }
        let certificate: Certificate
        do {
            guard !der.isEmpty else { throw RecordProblem("the stored certificate is empty") }
            certificate = try Certificate(derEncoded: der)
        } catch let problem as RecordProblem {
            record.error = problem.message
            return record
        } catch {
            record.error = "the stored certificate does not parse as DER X.509: \(Self.describe(error))"
            return record
        }
        record.subject = DistinguishedNameText.rfc4514(certificate.subject)
        record.notBefore = certificate.notValidBefore
        record.notAfter = certificate.notValidAfter
        record.sans = Self.sans(certificate)
        if record.provisioner == nil { record.provisioner = Self.provisioner(extensionOf: certificate) }
        if revocation == nil { record.status = certificate.notValidAfter < now ? .expired : .active }
        return record
    }

    /// An ASN.1 error's text without the source location swift-asn1 appends (`File.swift:12`).
    static func describe(_ error: Error) -> String {
        var text = String(describing: error)
        if let space = text.lastIndex(of: " "), text[text.index(after: space)...].contains(".swift:") {
            text = String(text[..<space])
        }
        return text
    }

    /// `{"provisioner":{"id","name","type"}}`; nil when the value has no usable provisioner.
    static func provisioner(data: [UInt8]) -> ExportRecord.Provisioner? {
        guard !data.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
              let provisioner = object["provisioner"] as? [String: Any],
              let name = provisioner["name"] as? String, !name.isEmpty else { return nil }
        return ExportRecord.Provisioner(name: name, type: provisioner["type"] as? String ?? "",
                                        id: (provisioner["id"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                                        source: .data)
    }

    /// step's provisioner extension, with its type number named as step-ca names types.
    static func provisioner(extensionOf certificate: Certificate) -> ExportRecord.Provisioner? {
        guard let found = ProvisionerExtension(certificate: certificate) else { return nil }
        return ExportRecord.Provisioner(name: found.name, type: typeName(found.type), id: nil, source: .extension)
    }

    static func typeName(_ type: Int) -> String {
        let names = [1: "JWK", 2: "OIDC", 3: "GCP", 4: "AWS", 5: "Azure", 6: "ACME", 7: "X5C", 8: "K8sSA",
                     9: "SSHPOP", 10: "SCEP", 11: "Nebula"]
        return names[type] ?? String(type)
    }

    /// DNS, IP, email and URI names; other kinds (directory names, other names) are left out. A
    /// malformed extension yields no names rather than failing the record.
    static func sans(_ certificate: Certificate) -> ExportRecord.SubjectAlternativeNames {
        var sans = ExportRecord.SubjectAlternativeNames()
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return sans }
        for name in names {
            switch name {
            case .dnsName(let dns): sans.dns.append(dns)
            case .ipAddress(let octets): sans.ip.append(IPAddressBytes.format(Array(octets.bytes)))
            case .rfc822Name(let email): sans.email.append(email)
            case .uniformResourceIdentifier(let uri): sans.uri.append(uri)
            default: break
            }
        }
        return sans
    }
}

/// A reason a stored certificate cannot be read.
private struct RecordProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
