import CPKCS11
import PluginKit

/// Generates key pairs on the token: EC P-256/P-384/P-521 and RSA 2048/3072/4096, stored on the
/// token (`CKA_TOKEN`), private, non-extractable, for signing, with the name's id and label on
/// both halves. As in step-ca, a new key needs both `id` and `object`, and must not exist yet.
struct KeyGenerator {
    let manager: PKCS11KeyManager
    let session: CK_SESSION_HANDLE

    /// RSA modulus size when the request says 0.
    static let defaultRSABits = 3072

    func generate(_ request: KeyRequest, name: KeyName) throws -> CreatedKey {
        let context = "\(manager.context): key \(name.text)"
        guard let id = name.id, let label = name.label else {
            throw PluginError.invalidArgument("\(context): a new key needs both id= and object=")
        }
        let module = manager.pool.module
        let finder = ObjectFinder(module: module, session: session, context: context)
        try checkAbsent(finder, id: id, label: label, context: context)

        var publicTemplate = AttributeTemplate()
        var privateTemplate = AttributeTemplate()
        for template in [0, 1] {
            var t = AttributeTemplate()
            t.add(CK.aToken, bool: true)
            t.add(CK.aID, bytes: id)
            t.add(CK.aLabel, bytes: label)
            if template == 0 { publicTemplate = t } else { privateTemplate = t }
        }
        publicTemplate.add(CK.aVerify, bool: true)
        privateTemplate.add(CK.aSign, bool: true)
        privateTemplate.add(CK.aPrivate, bool: true)
        privateTemplate.add(CK.aSensitive, bool: true)
        privateTemplate.add(CK.aExtractable, bool: false)

        let mechanismType: CK_MECHANISM_TYPE
        switch request.type {
        case .ecP256, .ecP384, .ecP521:
            mechanismType = CK.mECKeyPairGen
            let params = request.type == .ecP256 ? PublicKeyEncoding.p256
                : request.type == .ecP384 ? PublicKeyEncoding.p384 : PublicKeyEncoding.p521
            publicTemplate.add(CK.aECParams, bytes: params)
        case .rsa:
            let bits = request.bits == 0 ? Self.defaultRSABits : request.bits
            guard [2048, 3072, 4096].contains(bits) else {
                throw PluginError.invalidArgument("\(context): RSA keys of \(bits) bits are not supported; use 2048, 3072 or 4096")
            }
            mechanismType = CK.mRSAKeyPairGen
            publicTemplate.add(CK.aModulusBits, ulong: CK_ULONG(bits))
            publicTemplate.add(CK.aPublicExponent, bytes: [0x01, 0x00, 0x01])
        case .ed25519:
            throw PluginError.unsupported("\(context): Ed25519 keys are not supported by the PKCS#11 plugin")
        }

        var publicKey: CK_OBJECT_HANDLE = 0
        var privateKey: CK_OBJECT_HANDLE = 0
        var mechanism = CK_MECHANISM(mechanism: mechanismType, pParameter: nil, ulParameterLen: 0)
        do {
            try checkAbsent(finder, id: id, label: label, context: context)
            try publicTemplate.withAttributes { publicAttributes, publicCount in
                try privateTemplate.withAttributes { privateAttributes, privateCount in
                    try check(module.f.C_GenerateKeyPair!(session, &mechanism, publicAttributes, publicCount,
                                                          privateAttributes, privateCount, &publicKey, &privateKey),
                              "C_GenerateKeyPair", context)
                }
            }
        }
        let spki = try manager.publicKey(session: session, name: name)
        return CreatedKey(name: name.text, publicKeyDER: spki)
    }

    /// A new key must not share its id or its label with an existing private key.
    private func checkAbsent(_ finder: ObjectFinder, id: [UInt8], label: [UInt8], context: String) throws {
        guard try finder.find(class: CK.privateKeyClass, id: id, label: nil).isEmpty,
              try finder.find(class: CK.privateKeyClass, id: nil, label: label).isEmpty else {
            throw PluginError.conflict("\(context): a key with id=\(id.map { "%" + hex($0) }.joined()) or object=\(String(decoding: label, as: UTF8.self)) already exists on token \(manager.pool.token.summary)")
        }
    }
}
