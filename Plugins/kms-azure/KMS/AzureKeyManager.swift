import CloudKMSKit
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import PluginKit

/// The Azure Key Vault key manager: get key (public key from the JWK, cached), sign a digest
/// (ECDSA's raw `r‖s` answered as DER), create keys for `kms create`. Signatures never block the
/// caller (``signAsync(key:algorithm:digest:completion:)``); the ABI's synchronous calls (public
/// key, create key) wait for their answer on the calling plugin thread, never on an event loop,
/// and each attempt has its own deadline.
public final class AzureKeyManager: KeyManagementBackend, @unchecked Sendable {
    public let client: KeyVaultClient
    public let settings: AzureKMSSettings
    private let host: PluginHost
    private let cache = NIOLockedValueBox<[String: CachedKey]>([:])
    /// The longest a synchronous call waits for its answer (all attempts together).
    public var callTimeout: Double = 180

    /// A key's public half and what signing needs to know of it.
    struct CachedKey: Sendable {
        var der: [UInt8]
        var kty: String
        var curve: String?
        var vault: String
        var name: String
        var version: String
        var operations: [String]?
    }

    public init(settings: AzureKMSSettings, host: PluginHost = .detached) throws {
        client = try KeyVaultClient(settings: settings)
        self.settings = settings
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> Self {
        do {
            let stanza = try decodeConfigStanza(AzureKMSStanza.self, from: configJSON, root: "kms")
            let settings = try AzureKMSSettings.resolve(stanza: stanza, environment: ProcessInfo.processInfo.environment)
            let manager = try Self(settings: settings, host: host)
            let vault = settings.endpoint ?? settings.defaultVault.map { "vault \($0)" } ?? "the vault each key names"
            host.log(.info, "azurekms: \(vault), \(settings.credentials.summary), tokens from \(manager.client.tokens.tokenURL)")
            return manager
        } catch let error as AzureKMSError {
            throw error.pluginError
        }
    }

    // MARK: ABI calls

    public func publicKey(name: String) throws -> [UInt8] {
        try waitFor(resolve(name)).der
    }

    public func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8] {
        try waitFor(signFuture(key: key, algorithm: algorithm, digest: digest))
    }

    public func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8],
                          completion: @escaping @Sendable (Result<[UInt8], PluginError>) -> Void) {
        Self.calls.complete({ try signFuture(key: key, algorithm: algorithm, digest: digest) }, completion)
    }

    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        try waitFor(createFuture(request))
    }

    public func close() {
        client.shutdown()
    }

    // MARK: Asynchronous API (also for callers in Swift concurrency)

    /// The DER public key of a key, without blocking.
    public func publicKeyAsync(name: String) async throws -> [UInt8] {
        do { return try await resolve(name).get().der } catch { throw Self.pluginError(error) }
    }

    /// A signature (DER for ECDSA), without blocking.
    public func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) async throws -> [UInt8] {
        do { return try await signFuture(key: key, algorithm: algorithm, digest: digest).get() } catch { throw Self.pluginError(error) }
    }

    /// Creates a key, without blocking.
    public func createKeyAsync(_ request: KeyRequest) async throws -> CreatedKey {
        do { return try await createFuture(request).get() } catch { throw Self.pluginError(error) }
    }

    // MARK: Implementation

    /// The key a name denotes (its version resolved), from the cache or `GET /keys/{name}/{version}`.
    func resolve(_ text: String) throws -> EventLoopFuture<CachedKey> {
        let name = try mapped { try AzureKeyName(parsing: text) }
        let vault = try mapped { try settings.vaultURL(for: name, text: text) }
        let cacheKey = vault + "/keys/" + name.name + "/" + (name.version ?? "")
        if let cached = cache.withLockedValue({ $0[cacheKey] }) {
            return client.transport.eventLoop.makeSucceededFuture(cached)
        }
        return client.call("get key", .GET, vault: vault, path: name.name + "/" + (name.version ?? ""), target: text,
                           body: KeyVaultAPI.KeyBundle?.none, as: KeyVaultAPI.KeyBundle.self)
            .flatMapThrowing { bundle in
                let key = try Self.cachedKey(bundle, vault: vault, name: name, operation: "get key", target: text)
                self.cache.withLockedValue { $0[cacheKey] = key }
                return key
            }
    }

    static func cachedKey(_ bundle: KeyVaultAPI.KeyBundle, vault: String, name: AzureKeyName,
                          operation: String, target: String) throws -> CachedKey {
        func fail(_ detail: String) -> AzureKMSError { .integrity(operation: operation, target: target, detail: detail) }
        guard let jwk = bundle.key, let kid = jwk.kid else { throw fail("the answer has no key or kid") }
        let parts = kid.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[parts.count - 3] == "keys", parts[parts.count - 2].lowercased() == name.name.lowercased() else {
            throw fail("the answer names another key (\(kid))")
        }
        let version = parts[parts.count - 1]
        if let wanted = name.version, wanted.lowercased() != version.lowercased() {
            throw fail("the answer names another version (\(version))")
        }
        if bundle.attributes?.enabled == false {
            throw AzureKMSError.service(operation: operation, target: target, httpStatus: 403, code: "Forbidden",
                                        message: "the key is disabled")
        }
        let der: [UInt8]
        do { der = try PublicKeys.spki(of: jwk) } catch { throw fail("\(error)") }
        return CachedKey(der: der, kty: jwk.kty ?? "", curve: jwk.crv, vault: vault, name: name.name,
                         version: version, operations: jwk.key_ops)
    }

    private func signFuture(key text: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> EventLoopFuture<[UInt8]> {
        let (alg, length, curve) = try KeyVaultAlgorithms.signing(algorithm)
        guard digest.count == length else {
            throw PluginError.invalidArgument("Azure Key Vault sign with \(text): \(alg) takes a \(length)-byte digest, got \(digest.count) bytes")
        }
        let client = self.client
        return try resolve(text).flatMap { key -> EventLoopFuture<[UInt8]> in
            let eventLoop = client.transport.eventLoop
            let isEC = key.kty.hasPrefix("EC")
            if isEC != (curve != nil) || (curve != nil && key.curve != curve) {
                return eventLoop.makeFailedFuture(PluginError.invalidArgument(
                    "Azure Key Vault sign with \(text): the key is \(key.kty) \(key.curve ?? "") and cannot sign with \(alg)"))
            }
            if let operations = key.operations, !operations.contains("sign") {
                return eventLoop.makeFailedFuture(PluginError(.auth, "Azure Key Vault sign with \(text): the key does not permit sign"))
            }
            let request = KeyVaultAPI.SignRequest(alg: alg, value: Base64URL.encode(digest))
            return client.call("sign", .POST, vault: key.vault, path: "\(key.name)/\(key.version)/sign", target: text,
                               body: request, as: KeyVaultAPI.SignResponse.self)
                .flatMapThrowing { answer in
                    func fail(_ detail: String) -> AzureKMSError { .integrity(operation: "sign", target: text, detail: detail) }
                    guard let value = answer.value, let signature = Base64URL.decode(value), !signature.isEmpty else {
                        throw fail("the answer has no signature")
                    }
                    if let kid = answer.kid, !kid.hasSuffix("/\(key.version)") { throw fail("the answer names another key (\(kid))") }
                    guard let curve else { return signature }
                    do { return try PublicKeys.derSignature(raw: signature, curve: curve) } catch { throw fail("\(error)") }
                }
        }
    }

    private func createFuture(_ request: KeyRequest) throws -> EventLoopFuture<CreatedKey> {
        let name = try mapped { try AzureKeyName(parsing: request.name) }
        guard name.version == nil else {
            throw PluginError.invalidArgument("Azure Key Vault create key \(request.name): a new key has no version yet; leave out version=")
        }
        let vault = try mapped { try settings.vaultURL(for: name, text: request.name) }
        let hsm = request.hardware || name.hsm ?? settings.defaultHSM
        let body = try KeyVaultAlgorithms.createRequest(request, hsm: hsm)
        let host = self.host
        return client.call("create key", .POST, vault: vault, path: name.name + "/create", target: request.name,
                           body: body, as: KeyVaultAPI.KeyBundle.self)
            .flatMapThrowing { bundle in
                let key = try Self.cachedKey(bundle, vault: vault, name: name, operation: "create key", target: request.name)
                let created = AzureKeyName(name: name.name, vault: name.vault ?? self.settings.defaultVault, version: key.version)
                self.cache.withLockedValue {
                    $0[vault + "/keys/" + name.name + "/" + key.version] = key
                    $0[vault + "/keys/" + name.name + "/"] = key  // the latest version is now this one
                }
                host.log(.info, "azurekms: created \(created.uriString) (\(body.kty) \(body.crv ?? body.key_size.map { "\($0) bits" } ?? ""))")
                return CreatedKey(name: created.uriString, publicKeyDER: key.der)
            }
    }

    /// Waits for a future on the calling (plugin) thread, never on one of the client's event
    /// loops; bounded by ``callTimeout``.
    private func waitFor<T>(_ future: EventLoopFuture<T>) throws -> T {
        if future.eventLoop.inEventLoop {
            throw PluginError.internal("Azure Key Vault: a synchronous call on the client's own event loop")
        }
        let done = ConditionLock(value: 0)
        let outcome = NIOLockedValueBox<Result<T, Error>?>(nil)
        future.whenComplete { result in
            done.lock()
            outcome.withLockedValue { $0 = result }
            done.unlock(withValue: 1)
        }
        guard done.lock(whenValue: 1, timeoutSeconds: callTimeout) else {
            throw PluginError.unavailable("Azure Key Vault: no answer within \(Int(callTimeout)) s")
        }
        done.unlock()
        switch outcome.withLockedValue({ $0 })! {
        case .success(let value): return value
        case .failure(let error): throw Self.pluginError(error)
        }
    }

    private func mapped<T>(_ body: () throws -> T) throws -> T { try Self.calls.mapped(body) }

    /// Errors to ABI errors: ``AzureKMSError`` by its mapping, anything else as internal.
    static let calls = PluginCalls(service: "Azure Key Vault")

    static func pluginError(_ error: Error) -> PluginError { calls.pluginError(error) }
}
