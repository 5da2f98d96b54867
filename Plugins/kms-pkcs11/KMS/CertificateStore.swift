import CPKCS11
import PluginKit

/// X.509 certificates on the token (`CKO_CERTIFICATE`, `CKC_X_509`) under a name's id and label.
struct CertificateStore {
    let manager: PKCS11KeyManager
    let session: CK_SESSION_HANDLE

    /// Stores a DER certificate; an existing certificate with the same id and label is a conflict.
    func store(_ der: [UInt8], name: KeyName) throws {
        let context = "\(manager.context): certificate \(name.text)"
        guard let names = DER.certificateNames(der) else {
            throw PluginError.invalidArgument("\(context): the data is not a DER X.509 certificate")
        }
        let module = manager.pool.module
        let finder = ObjectFinder(module: module, session: session, context: context)
        var template = AttributeTemplate()
        template.add(CK.aClass, ulong: CK.certificateClass)
        template.add(CK.aCertificateType, ulong: CK.x509Certificate)
        template.add(CK.aToken, bool: true)
        template.add(CK.aPrivate, bool: false)
        template.add(CK.aValue, bytes: der)
        template.add(CK.aSubject, bytes: names.subject)
        template.add(CK.aIssuer, bytes: names.issuer)
        template.add(CK.aSerialNumber, bytes: names.serial)
        if let id = name.id { template.add(CK.aID, bytes: id) }
        if let label = name.label { template.add(CK.aLabel, bytes: label) }
        var object: CK_OBJECT_HANDLE = 0
        do {
            guard try finder.find(class: CK.certificateClass, id: name.id, label: name.label).isEmpty else {
                throw PluginError.conflict("\(context): a certificate with \(name.selector) already exists on token \(manager.pool.token.summary)")
            }
            try template.withAttributes { attributes, count in
                try check(module.f.C_CreateObject!(session, attributes, count, &object), "C_CreateObject", context)
            }
        }
    }

    /// The DER certificate stored under the name.
    func load(name: KeyName) throws -> [UInt8] {
        let context = "\(manager.context): certificate \(name.text)"
        let finder = ObjectFinder(module: manager.pool.module, session: session, context: context)
        guard let object = try finder.find(class: CK.certificateClass, id: name.id, label: name.label).first else {
            throw PluginError.notFound("\(context) not found: no certificate with \(name.selector) on token \(manager.pool.token.summary)")
        }
        guard let der = try finder.attribute(object, CK.aValue), !der.isEmpty else {
            throw PluginError.internal("\(context): the certificate object has no value")
        }
        return der
    }
}
