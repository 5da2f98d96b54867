import CloudKMSKit
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import PluginKit

/// The Cloud KMS key manager: getPublicKey (cached), asymmetricSign over a digest with CRC32C
/// checks both ways, key ring and key creation for `kms create`. Signatures never block the
/// caller (``signAsync(key:algorithm:digest:completion:)``); the other calls wait for the answer
/// with bounded time-outs.
public final class GCPKeyManager: KeyManagementBackend, @unchecked Sendable {
    public let client: CloudKMSClient
    private let host: PluginHost
    private let cache = NIOLockedValueBox<[String: CachedKey]>([:])
    /// How long ``createKey(_:)`` waits for a new version to become ENABLED.
    public var generationTimeout: TimeAmount = .seconds(120)

    struct CachedKey {
        var der: [UInt8]
        var algorithm: String
    }

    public init(settings: GCPKMSSettings, host: PluginHost = .detached) throws {
        client = try CloudKMSClient(settings: settings)
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> Self {
        try calls.mapped {
            let stanza = try decodeConfigStanza(GCPKMSStanza.self, from: configJSON, root: "kms")
            let settings = try GCPKMSSettings.resolve(stanza: stanza, environment: ProcessInfo.processInfo.environment)
            let manager = try Self(settings: settings, host: host)
            host.log(.info, "cloudkms: endpoint \(settings.endpoint), \(settings.credentials.account) from \(settings.credentialsPath)")
            return manager
        }
    }

    public func publicKey(name: String) throws -> [UInt8] {
        try wait(publicKeyFuture(name: name)).der
    }

    public func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8] {
        try wait(signFuture(key: key, algorithm: algorithm, digest: digest))
    }

    public func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8],
                          completion: @escaping @Sendable (Result<[UInt8], PluginError>) -> Void) {
        Self.calls.complete({ try self.signFuture(key: key, algorithm: algorithm, digest: digest) }, completion)
    }

    /// The public key and algorithm of a version, from the cache or the API (PEM CRC32C checked).
    func publicKeyFuture(name: String) throws -> EventLoopFuture<CachedKey> {
        let resource = try mapped { try CloudKMSName(parsing: name, requireVersion: true) }.resourceName
        if let cached = cache.withLockedValue({ $0[resource] }) {
            return client.transport.eventLoop.makeSucceededFuture(cached)
        }
        return client.call("getPublicKey", .GET, resource + "/publicKey", target: resource,
                           body: CloudKMSAPI.Empty?.none, as: CloudKMSAPI.PublicKey.self)
            .flatMapThrowing { answer in
                if let expected = answer.pemCrc32c, UInt32(expected) != CRC32C.checksum(answer.pem.utf8) {
                    throw GCPKMSError.integrity(operation: "getPublicKey", target: resource,
                                                detail: "the public key fails its CRC32C check (pemCrc32c \(expected))")
                }
                guard let der = PEM.decode(answer.pem, label: "PUBLIC KEY") else {
                    throw GCPKMSError.integrity(operation: "getPublicKey", target: resource,
                                                detail: "the answer holds no PEM public key")
                }
                let key = CachedKey(der: der, algorithm: answer.algorithm ?? "")
                self.cache.withLockedValue { $0[resource] = key }
                return key
            }
    }

    private func signFuture(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> EventLoopFuture<[UInt8]> {
        let resource = try mapped { try CloudKMSName(parsing: key, requireVersion: true) }.resourceName
        let (field, length) = try CloudKMSAlgorithms.digestField(algorithm)
        guard digest.count == length else {
            throw PluginError.invalidArgument("Cloud KMS asymmetricSign on \(resource): \(algorithm) takes a \(length)-byte digest, got \(digest.count) bytes")
        }
        let client = self.client
        return try publicKeyFuture(name: resource).flatMap { cached -> EventLoopFuture<[UInt8]> in
            if let native = CloudKMSAlgorithms.signatureAlgorithm(of: cached.algorithm), native != algorithm {
                return client.transport.eventLoop.makeFailedFuture(PluginError.invalidArgument(
                    "Cloud KMS asymmetricSign on \(resource): the key is \(cached.algorithm) and signs with \(native), not \(algorithm)"))
            }
            let encoded = Data(digest).base64EncodedString()
            var body = CloudKMSAPI.Digest()
            switch field {
            case "sha256": body.sha256 = encoded
            case "sha384": body.sha384 = encoded
            default: body.sha512 = encoded
            }
            let request = CloudKMSAPI.AsymmetricSignRequest(digest: body, digestCrc32c: String(CRC32C.checksum(digest)))
            return client.call("asymmetricSign", .POST, resource + ":asymmetricSign", target: resource,
                               body: request, as: CloudKMSAPI.AsymmetricSignResponse.self)
                .flatMapThrowing { answer in try Self.checkedSignature(answer, resource: resource) }
        }
    }

    /// The signature of an answer after its integrity checks (digest CRC32C verified by the
    /// service, signature CRC32C, resource name).
    static func checkedSignature(_ answer: CloudKMSAPI.AsymmetricSignResponse, resource: String) throws -> [UInt8] {
        func fail(_ detail: String) -> GCPKMSError {
            GCPKMSError.integrity(operation: "asymmetricSign", target: resource, detail: detail)
        }
        guard answer.verifiedDigestCrc32c == true else { throw fail("the service did not verify the digest's CRC32C") }
        if let name = answer.name, name != resource { throw fail("the answer names another key version (\(name))") }
        guard let encoded = answer.signature, let data = Data(base64Encoded: encoded), !data.isEmpty else {
            throw fail("the answer has no signature")
        }
        let signature = Array(data)
        guard let checksum = answer.signatureCrc32c, UInt32(checksum) == CRC32C.checksum(signature) else {
            throw fail("the signature fails its CRC32C check")
        }
        return signature
    }

    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        let name = try mapped { try CloudKMSName(parsing: request.name, requireVersion: false) }
        let algorithm = try CloudKMSAlgorithms.keyAlgorithm(request)
        let creator = KeyCreator(client: client, generationTimeout: generationTimeout)
        let version = try wait(creator.create(name, algorithm: algorithm, hsm: request.hardware))
        host.log(.info, "cloudkms: created \(version) (\(algorithm))")
        return CreatedKey(name: version, publicKeyDER: try publicKey(name: version))
    }

    public func close() {
        client.shutdown()
    }

    /// Waits on host pool threads, converts errors to the ABI's.
    static let calls = PluginCalls(service: "Cloud KMS")

    private func wait<T>(_ future: EventLoopFuture<T>) throws -> T { try Self.calls.wait(future) }

    private func mapped<T>(_ body: () throws -> T) throws -> T { try Self.calls.mapped(body) }

    static func pluginError(_ error: Error) -> PluginError { calls.pluginError(error) }
}
