import SwiftASN1
import X509

extension CertificateTemplate {
    /// The certificate's extensions in the order Go's `x509.CreateCertificate` writes them —
    /// key usage, extended key usage, basic constraints, SKI, AKI, authority information access,
    /// SAN, certificate policies, name constraints, CRL distribution points — then the
    /// provisioner extension, then the template's own extensions. A built-in whose OID the
    /// template also supplies is left out; a template extension with the provisioner OID is
    /// dropped (step-ca keeps only its own).
    func extensions(publicKey: Certificate.PublicKey, authorityKeyIdentifier: AuthorityKeyIdentifier,
                    provisionerExtension: Certificate.Extension?, subjectIsEmpty: Bool) throws -> Certificate.Extensions {
        var builtIn: [Certificate.Extension] = []
        if let keyUsage { builtIn.append(try Certificate.Extension(keyUsage, critical: true)) }
        if !extKeyUsage.isEmpty || !unknownExtKeyUsage.isEmpty {
            builtIn.append(Certificate.Extension(oid: .X509ExtensionID.extendedKeyUsage, critical: false,
                                                 value: try TemplateDER.sequenceOfOIDs(extKeyUsage + unknownExtKeyUsage)))
        }
        if let basicConstraints {
            let value: BasicConstraints = basicConstraints.isCA
                ? .isCertificateAuthority(maxPathLength: basicConstraints.maxPathLen < 0 ? nil : basicConstraints.maxPathLen)
                : .notCertificateAuthority
            builtIn.append(try Certificate.Extension(value, critical: true))
        }
        let keyIdentifier = subjectKeyID.map { SubjectKeyIdentifier(keyIdentifier: $0[...]) } ?? SubjectKeyIdentifier(hash: publicKey)
        builtIn.append(try Certificate.Extension(keyIdentifier, critical: false))
        builtIn.append(try Certificate.Extension(authorityKeyIdentifier, critical: false))
        if !ocspServer.isEmpty || !issuingCertificateURL.isEmpty {
            builtIn.append(Certificate.Extension(oid: .X509ExtensionID.authorityInformationAccess, critical: false,
                                                 value: try TemplateDER.authorityInformationAccess(ocsp: ocspServer, issuers: issuingCertificateURL)))
        }
        if let sans = try TemplateDER.subjectAlternativeNames(self) {
            builtIn.append(Certificate.Extension(oid: .X509ExtensionID.subjectAlternativeName, critical: subjectIsEmpty, value: sans))
        }
        if !policyIdentifiers.isEmpty {
            builtIn.append(Certificate.Extension(oid: [2, 5, 29, 32], critical: false,
                                                 value: try TemplateDER.certificatePolicies(policyIdentifiers)))
        }
        if let nameConstraints, let constraints = try TemplateDER.nameConstraints(nameConstraints) {
            builtIn.append(Certificate.Extension(oid: .X509ExtensionID.nameConstraints, critical: nameConstraints.critical, value: constraints))
        }
        if !crlDistributionPoints.isEmpty {
            builtIn.append(Certificate.Extension(oid: [2, 5, 29, 31], critical: false,
                                                 value: TemplateDER.crlDistributionPoints(crlDistributionPoints)))
        }

        let provisionerOID = ProvisionerExtension.oid
        let custom = extensions.filter { $0.oid != provisionerOID }
        let customOIDs = Set(custom.map(\.oid))
        var all = builtIn.filter { !customOIDs.contains($0.oid) }
        if let provisionerExtension { all.append(provisionerExtension) }
        all += custom
        var seen = Set<ASN1ObjectIdentifier>()
        for ext in all where !seen.insert(ext.oid).inserted {
            throw CertificateTemplateError(message: "duplicate extension \(ext.oid)")
        }
        return try Certificate.Extensions(all)
    }
}
