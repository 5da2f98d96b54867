import CPKCS11
import PluginKit

/// A key manager on one PKCS#11 token: signing, public keys, key generation and certificates.
///
/// Thread-safe: calls borrow sessions from a ``SessionPool``. Private key handles are cached by
/// key name and looked up again when the token says a handle went stale.
public final class PKCS11KeyManager: KeyManagementBackend, @unchecked Sendable {
    let pool: SessionPool
    /// The configured URI without PIN: the prefix of every message.
    let context: String
    private let host: PluginHost
    private let cacheLock = Lock()
    private var keyCache: [String: (handle: CK_OBJECT_HANDLE, type: CK_ULONG)] = [:]

    init(pool: SessionPool, context: String, host: PluginHost) {
        self.pool = pool
        self.context = context
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> Self {
        let config = try PKCS11Config.decode(configJSON)
        let uri = try PKCS11URI(parsing: config.uri)
        guard let modulePath = uri.modulePath, !modulePath.isEmpty else {
            throw PluginError.invalidArgument("\(uri.redacted): module-path is required (the PKCS#11 module to load)")
        }
        let module = try PKCS11Module.load(path: modulePath, context: uri.redacted)
        let token = try TokenSelector.select(uri, module: module)
        let pin = try PINSource.resolve(uri, stanzaPIN: config.pin)
        let pool: SessionPool
        do {
            pool = try TokenAccess.shared {
                try SessionPool(module: module, token: token, pin: pin, maxSessions: config.maxSessions ?? 8,
                                context: uri.redacted)
            }
        } catch let error as PKCS11CallError {
            throw error.pluginError
        }
        host.log(.debug, "pkcs11: opened token \(token.summary) of \(modulePath)")
        return Self(pool: pool, context: uri.redacted, host: host)
    }

    public func close() {
        pool.close()
    }

    // MARK: Signing

    public func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8] {
        let name = try KeyName(key)
        let mechanism = try SignatureMechanism(algorithm, digest: digest, key: "\(context): key \(name.text)")
        return try reported {
            try pool.withSession { session in
                do {
                    return try sign(session: session, name: name, mechanism: mechanism, cached: true)
                } catch let error as PKCS11CallError where error.value == CKR.keyHandleInvalid || error.value == CKR.objectHandleInvalid {
                    forget(name)
                    return try sign(session: session, name: name, mechanism: mechanism, cached: false)
                }
            }
        }
    }

    private func sign(session: CK_SESSION_HANDLE, name: KeyName, mechanism: SignatureMechanism, cached: Bool) throws -> [UInt8] {
        let key = try privateKey(session: session, name: name, cached: cached)
        guard key.type == mechanism.keyType else {
            let kind = key.type == CK.ecKey ? "an EC key" : key.type == CK.rsaKey ? "an RSA key" : "a key of type \(key.type)"
            throw PluginError.invalidArgument("\(context): key \(name.text) is \(kind); \(mechanism.name) needs \(mechanism.keyType == CK.ecKey ? "an EC" : "an RSA") key")
        }
        let module = pool.module
        try mechanism.withMechanism { pointer in
            try check(module.f.C_SignInit!(session, pointer, key.handle), "C_SignInit with \(mechanism.name)", "\(context): key \(name.text)")
        }
        var signature = [UInt8](repeating: 0, count: 1024)
        var length = CK_ULONG(signature.count)
        var input = mechanism.input
        let status = input.withUnsafeMutableBufferPointer { data in
            module.f.C_Sign!(session, data.baseAddress, CK_ULONG(data.count), &signature, &length)
        }
        try check(status, "C_Sign with \(mechanism.name)", "\(context): key \(name.text)")
        return try mechanism.encode(Array(signature.prefix(Int(length))), key: "\(context): key \(name.text)")
    }

    /// The private key named `name`: from the cache, or found by id and label.
    private func privateKey(session: CK_SESSION_HANDLE, name: KeyName, cached: Bool) throws -> (handle: CK_OBJECT_HANDLE, type: CK_ULONG) {
        if cached, let hit = cacheLock.withLock({ keyCache[name.text] }) { return hit }
        let finder = ObjectFinder(module: pool.module, session: session, context: "\(context): key \(name.text)")
        let handles = try finder.find(class: CK.privateKeyClass, id: name.id, label: name.label)
        guard let handle = handles.first else {
            throw PluginError.notFound("\(context): key \(name.text) not found: no private key with \(name.selector) on token \(pool.token.summary)")
        }
        guard handles.count == 1 else {
            throw PluginError.invalidArgument("\(context): key \(name.text) is ambiguous: \(handles.count) private keys have \(name.selector); give both id= and object=")
        }
        guard let type = try finder.ulongAttribute(handle, CK.aKeyType) else {
            throw PluginError.internal("\(context): key \(name.text) has no CKA_KEY_TYPE")
        }
        cacheLock.withLock { keyCache[name.text] = (handle, type) }
        return (handle, type)
    }

    private func forget(_ name: KeyName) {
        cacheLock.withLock { keyCache[name.text] = nil }
    }

    // MARK: Public keys

    public func publicKey(name key: String) throws -> [UInt8] {
        let name = try KeyName(key)
        return try reported {
            try pool.withSession { session in try publicKey(session: session, name: name) }
        }
    }

    func publicKey(session: CK_SESSION_HANDLE, name: KeyName) throws -> [UInt8] {
        let finder = ObjectFinder(module: pool.module, session: session, context: "\(context): key \(name.text)")
        let candidates = try finder.find(class: CK.publicKeyClass, id: name.id, label: name.label)
            + finder.find(class: CK.privateKeyClass, id: name.id, label: name.label)
        for object in candidates {
            guard let type = try finder.ulongAttribute(object, CK.aKeyType) else { continue }
            if type == CK.ecKey, let params = try finder.attribute(object, CK.aECParams),
               let point = try finder.attribute(object, CK.aECPoint) {
                return PublicKeyEncoding.ec(params: params, point: point)
            }
            if type == CK.rsaKey, let modulus = try finder.attribute(object, CK.aModulus),
               let exponent = try finder.attribute(object, CK.aPublicExponent) {
                return PublicKeyEncoding.rsa(modulus: modulus, exponent: exponent)
            }
        }
        // An EC private key alone does not carry its point: a certificate with the same id may.
        if let certificate = try finder.find(class: CK.certificateClass, id: name.id, label: name.label).first,
           let der = try finder.attribute(certificate, CK.aValue), let spki = DER.certificatePublicKey(der) {
            return spki
        }
        if candidates.isEmpty {
            throw PluginError.notFound("\(context): key \(name.text) not found: no public or private key with \(name.selector) on token \(pool.token.summary)")
        }
        throw PluginError.notFound("\(context): key \(name.text): the token has the key but no public key object or certificate to read its public key from")
    }

    // MARK: Keys and certificates

    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        let name = try KeyName(request.name)
        return try reportedWrite {
            try pool.withSession { session in
                try KeyGenerator(manager: self, session: session).generate(request, name: name)
            }
        }
    }

    public func deleteKey(name key: String) throws {
        let name = try KeyName(key)
        try reportedWrite {
            try pool.withSession { session in
                let finder = ObjectFinder(module: pool.module, session: session, context: "\(context): key \(name.text)")
                let objects = try finder.find(class: CK.privateKeyClass, id: name.id, label: name.label)
                    + finder.find(class: CK.publicKeyClass, id: name.id, label: name.label)
                guard !objects.isEmpty else {
                    throw PluginError.notFound("\(context): key \(name.text) not found: no key with \(name.selector) on token \(pool.token.summary)")
                }
                forget(name)
                do {
                    for object in objects {
                        try check(pool.module.f.C_DestroyObject!(session, object), "C_DestroyObject", "\(context): key \(name.text)")
                    }
                }
            }
        }
    }

    public func storeCertificate(name key: String, der: [UInt8]) throws {
        let name = try KeyName(key)
        try reportedWrite {
            try pool.withSession { session in
                try CertificateStore(manager: self, session: session).store(der, name: name)
            }
        }
    }

    public func loadCertificate(name key: String) throws -> [UInt8] {
        let name = try KeyName(key)
        return try reported {
            try pool.withSession { session in
                try CertificateStore(manager: self, session: session).load(name: name)
            }
        }
    }

    /// Runs a reading call (signing, lookups) with a session; turns PKCS#11 failures into plugin errors.
    private func reported<T>(_ body: () throws -> T) throws -> T {
        do {
            return try TokenAccess.shared(body)
        } catch let error as PKCS11CallError {
            throw error.pluginError
        }
    }

    /// Runs a call that creates or destroys token objects, alone (see ``TokenAccess``).
    private func reportedWrite<T>(_ body: () throws -> T) throws -> T {
        do {
            return try TokenAccess.exclusive(body)
        } catch let error as PKCS11CallError {
            throw error.pluginError
        }
    }
}
