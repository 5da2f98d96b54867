import NIOCore
import NIOHTTP1
import PluginKit

/// `kms create` on Cloud KMS: the key ring if missing, the key (or, when the key exists and no
/// version was named, a new version), then waits until the version is ENABLED.
struct KeyCreator {
    let client: CloudKMSClient
    let generationTimeout: TimeAmount

    /// Creates the key and answers its version name (`.../cryptoKeyVersions/N`).
    func create(_ name: CloudKMSName, algorithm: String, hsm: Bool) -> EventLoopFuture<String> {
        let eventLoop = client.transport.eventLoop
        let ring = name.keyRingName
        let key = name.cryptoKeyName
        let ensureRing = client.call("getKeyRing", .GET, ring, target: ring, body: CloudKMSAPI.Empty?.none,
                                     as: CloudKMSAPI.KeyRing.self)
            .map { _ in () }
            .flatMapError { error -> EventLoopFuture<Void> in
                guard Self.status(error) == 404 else { return eventLoop.makeFailedFuture(error) }
                return client.call("createKeyRing", .POST, name.locationName + "/keyRings",
                                   query: "keyRingId=\(name.keyRing)", target: ring, body: CloudKMSAPI.Empty(),
                                   as: CloudKMSAPI.KeyRing.self)
                    .map { _ in () }
                    .flatMapError { error in  // created meanwhile by someone else: fine
                        Self.status(error) == 409 ? eventLoop.makeSucceededVoidFuture() : eventLoop.makeFailedFuture(error)
                    }
            }
        let body = CloudKMSAPI.CryptoKey(
            name: nil, purpose: "ASYMMETRIC_SIGN",
            versionTemplate: .init(algorithm: algorithm, protectionLevel: hsm ? "HSM" : "SOFTWARE"))
        return ensureRing.flatMap {
            client.call("createCryptoKey", .POST, ring + "/cryptoKeys", query: "cryptoKeyId=\(name.cryptoKey)",
                        target: key, body: body, as: CloudKMSAPI.CryptoKey.self)
                .map { _ in key + "/cryptoKeyVersions/1" }
                .flatMapError { error -> EventLoopFuture<String> in
                    // step-ca adds a version to an existing key; a name with a version is taken.
                    guard Self.status(error) == 409, name.version == nil else { return eventLoop.makeFailedFuture(error) }
                    return client.call("createCryptoKeyVersion", .POST, key + "/cryptoKeyVersions", target: key,
                                       body: CloudKMSAPI.Empty(), as: CloudKMSAPI.CryptoKeyVersion.self)
                        .map(\.name)
                }
        }
        .flatMap { version in self.waitEnabled(version, deadline: .now() + generationTimeout, delay: .milliseconds(50)) }
    }

    private func waitEnabled(_ version: String, deadline: NIODeadline, delay: TimeAmount) -> EventLoopFuture<String> {
        let eventLoop = client.transport.eventLoop
        return client.call("getCryptoKeyVersion", .GET, version, target: version, body: CloudKMSAPI.Empty?.none,
                           as: CloudKMSAPI.CryptoKeyVersion.self)
            .flatMap { answer in
                switch answer.state {
                case "ENABLED"?: return eventLoop.makeSucceededFuture(version)
                case "PENDING_GENERATION"?, nil:
                    guard NIODeadline.now() + delay < deadline else {
                        return eventLoop.makeFailedFuture(PluginError.unavailable(
                            "Cloud KMS: \(version) is still \(answer.state ?? "pending") after waiting for its generation"))
                    }
                    return eventLoop.flatScheduleTask(in: delay) {
                        self.waitEnabled(version, deadline: deadline, delay: min(delay * 2, .seconds(1)))
                    }.futureResult
                case let state?:
                    return eventLoop.makeFailedFuture(PluginError.unavailable("Cloud KMS: \(version) is \(state), not ENABLED"))
                }
            }
    }

    static func status(_ error: Error) -> Int? {
        if case .service(_, _, let status, _, _)? = error as? GCPKMSError { return status }
        return nil
    }
}
