import CloudKMSKit
import FoundationEssentials
import NIOCore
import PluginKit

/// The AWS KMS key manager: GetPublicKey (cached), Sign over a digest, CreateKey + CreateAlias,
/// ScheduleKeyDeletion. Signatures never block the caller (``signAsync(key:algorithm:digest:completion:)``);
/// the other calls wait for the answer with bounded time-outs.
public final class AWSKeyManager: KeyManagementBackend, @unchecked Sendable {
    public let client: KMSClient
    private let host: PluginHost
    private let cacheLock = Lock()
    private var publicKeys: [String: [UInt8]] = [:]

    public init(settings: AWSKMSSettings, host: PluginHost = .detached) throws {
        self.client = try KMSClient(settings: settings)
        self.host = host
    }

    public static func open(configJSON: String, host: PluginHost) throws -> Self {
        try calls.mapped {
            let stanza = try decodeConfigStanza(AWSKMSStanza.self, from: configJSON, root: "kms")
            let settings = try AWSKMSSettings.resolve(stanza: stanza, environment: ProcessInfo.processInfo.environment)
            let manager = try Self(settings: settings, host: host)
            host.log(.info, "awskms: region \(settings.region), endpoint \(settings.endpoint), credentials from \(settings.credentialsSource) (access key \(settings.credentials.accessKeyID))")
            return manager
        }
    }

    public func publicKey(name: String) throws -> [UInt8] {
        let keyID = try mapped { try awsKeyID(fromName: name) }
        if let cached = cacheLock.withLock({ publicKeys[keyID] }) { return cached }
        // Messages name the key as the caller wrote it (`awskms:key-id=...`, an alias or an ARN).
        let response = try wait(client.call("GetPublicKey", target: name, KMSAPI.KeyRef(KeyId: keyID),
                                            as: KMSAPI.GetPublicKeyResponse.self))
        guard let der = Data(base64Encoded: response.PublicKey), !der.isEmpty else {
            throw PluginError.internal("AWS KMS GetPublicKey on \(name): the answer has no public key")
        }
        let bytes = Array(der)
        cacheLock.withLock { publicKeys[keyID] = bytes }
        return bytes
    }

    public func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8] {
        try wait(signFuture(key: key, algorithm: algorithm, digest: digest))
    }

    public func signAsync(key: String, algorithm: SignatureAlgorithm, digest: [UInt8],
                          completion: @escaping @Sendable (Result<[UInt8], PluginError>) -> Void) {
        Self.calls.complete({ try self.signFuture(key: key, algorithm: algorithm, digest: digest) }, completion)
    }

    private func signFuture(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> EventLoopFuture<[UInt8]> {
        let keyID = try mapped { try awsKeyID(fromName: key) }
        let (name, length) = try KMSNames.signingAlgorithm(algorithm)
        guard digest.count == length else {
            throw PluginError.invalidArgument("AWS KMS Sign on \(key): \(name) takes a \(length)-byte digest, got \(digest.count) bytes")
        }
        let request = KMSAPI.SignRequest(KeyId: keyID, Message: Data(digest).base64EncodedString(), SigningAlgorithm: name)
        return client.call("Sign", target: key, request, as: KMSAPI.SignResponse.self).flatMapThrowing { response in
            guard let signature = Data(base64Encoded: response.Signature), !signature.isEmpty else {
                throw PluginError.internal("AWS KMS Sign on \(key): the answer has no signature")
            }
            return Array(signature)
        }
    }

    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        let spec = try KMSNames.keySpec(request)
        let description = request.name.isEmpty ? "step-ca key" : request.name
        let created = try wait(client.call("CreateKey", target: description,
                                           KMSAPI.CreateKeyRequest(KeySpec: spec, Description: description),
                                           as: KMSAPI.CreateKeyResponse.self))
        let keyID = created.KeyMetadata.KeyId
        if let alias = KMSNames.alias(name: request.name, keyID: keyID) {
            _ = try wait(client.call("CreateAlias", target: alias,
                                     KMSAPI.CreateAliasRequest(AliasName: alias, TargetKeyId: keyID),
                                     as: KMSAPI.Empty.self))
        }
        let name = "awskms:key-id=\(keyID)"
        return CreatedKey(name: name, publicKeyDER: try publicKey(name: name))
    }

    public func deleteKey(name: String) throws {
        let keyID = try mapped { try awsKeyID(fromName: name) }
        _ = try wait(client.call("ScheduleKeyDeletion", target: keyID,
                                 KMSAPI.ScheduleKeyDeletionRequest(KeyId: keyID, PendingWindowInDays: 7),
                                 as: KMSAPI.Empty.self))
        cacheLock.withLock { _ = publicKeys.removeValue(forKey: keyID) }
    }

    public func close() {
        client.shutdown()
    }

    /// Waits on host pool threads, converts errors to the ABI's.
    static let calls = PluginCalls(service: "AWS KMS")

    private func wait<T>(_ future: EventLoopFuture<T>) throws -> T { try Self.calls.wait(future) }

    private func mapped<T>(_ body: () throws -> T) throws -> T { try Self.calls.mapped(body) }

    static func pluginError(_ error: Error) -> PluginError { calls.pluginError(error) }
}
