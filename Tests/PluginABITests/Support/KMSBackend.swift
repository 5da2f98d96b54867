/// The key managers the KMS conformance suite (`KMSConformanceTests`) runs against.
///
/// Every backend is a KMS plugin loaded with the host's own ``PluginLoader`` and driven through
/// ``KeyManagerPlugin``, so the suite exercises the C ABI exactly as step-ca does.
///
/// Running the suite against your own plugin
/// -----------------------------------------
/// Build your plugin (`libstepca-kms-<name>.so`) and the tests (`swift build --build-tests`), then:
///
///     STEPCA_KMS_UNDER_TEST=/path/to/libstepca-kms-acme.so \
///     STEPCA_KMS_UNDER_TEST_CONFIG='{"type":"acmekms","uri":"acmekms:..."}' \
///     STEPCA_KMS_UNDER_TEST_KEY='acmekms:key=existing' \
///     swift test --skip-build --filter KMSConformanceTests
///
/// - `STEPCA_KMS_UNDER_TEST`: the plugin library.
/// - `STEPCA_KMS_UNDER_TEST_CONFIG`: the ca.json `kms` object handed to the plugin's `open`.
/// - `STEPCA_KMS_UNDER_TEST_KEY`: the name of a key that already exists (public key export,
///   signing with the algorithms of its key type).
/// - Optional `STEPCA_KMS_UNDER_TEST_NEW_KEY`: a name pattern for keys the suite may create, with
///   `{}` replaced by a unique suffix (e.g. `acmekms:key=conformance-{}`); without it key creation
///   and certificate storage are not exercised.
///
/// Adding a backend
/// ----------------
/// Add one entry to ``all``: how to load the plugin, its `kms` JSON, its existing keys, how to
/// name a new key, and which key types and algorithms it supports.
import Foundation
import Testing
@testable import Host

struct KMSBackend: Sendable, CustomTestStringConvertible {
    /// A key type the backend creates, the RSA size, and the algorithms such a key signs with.
    struct KeySpec: Sendable, CustomStringConvertible {
        let type: KMSKeyType
        var bits: Int = 0
        let algorithms: [KMSSignatureAlgorithm]
        var description: String { type == .rsa ? "RSA-\(bits)" : type.description }
        /// How ``KMSVerifyingKey/kind`` names such a key: "P-256", "RSA-2048".
        var kind: String { type == .rsa ? "RSA-\(bits)" : type == .ecP256 ? "P-256" : type == .ecP384 ? "P-384" : "P-521" }

        static let p256 = KeySpec(type: .ecP256, algorithms: [.ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512])
        static let p384 = KeySpec(type: .ecP384, algorithms: [.ecdsaSHA384, .ecdsaSHA256, .ecdsaSHA512])
        static let rsa2048 = KeySpec(type: .rsa, bits: 2048, algorithms: [
            .rsaPKCS1SHA256, .rsaPKCS1SHA384, .rsaPKCS1SHA512, .rsaPSSSHA256, .rsaPSSSHA384, .rsaPSSSHA512,
        ])
    }

    /// A key that exists before the suite runs, with the algorithms it signs with.
    struct ExistingKey: Sendable {
        let name: String
        let algorithms: [KMSSignatureAlgorithm]
    }

    let label: String
    /// Loads the plugin (through the host's loader).
    let load: @Sendable () throws -> LoadedPlugin
    /// The ca.json `kms` object.
    let config: @Sendable () throws -> String
    /// Keys that exist before the suite.
    let existingKeys: @Sendable () throws -> [ExistingKey]
    /// A fresh key name from a unique suffix; nil when the backend cannot create keys.
    let newKeyName: (@Sendable (_ unique: String) -> String)?
    /// Key types the backend creates.
    var creatable: [KeySpec] = []
    /// Whether certificates can be stored under a key name and read back.
    var storesCertificates = false
    /// Whether creating a key under a name that is taken fails with a conflict (AWS KMS instead
    /// makes a new key under a new alias every time, as step-ca's awskms does).
    var refusesTakenNames = true
    /// A well-formed name of a key that does not exist.
    let unknownKeyName: String

    var testDescription: String { label }

    /// Opens the key manager through the host adapter.
    func open() async throws -> KeyManagerPlugin {
        try await KeyManagerPlugin.open(plugin: load(), configJSON: config())
    }

    /// Runs `body` with an open key manager and closes it afterwards.
    func withKeyManager<T>(_ body: (KeyManagerPlugin) async throws -> T) async throws -> T {
        let kms = try await open()
        do {
            let result = try await body(kms)
            await kms.close()
            return result
        } catch {
            await kms.close()
            throw error
        }
    }

    /// Every backend the suite runs against; one entry per backend. Backends whose device or
    /// library is missing are left out locally; in CI (`CI=true`) they stay and fail.
    static let all: [KMSBackend] = {
        var backends: [KMSBackend] = []
        if SoftHSM.isAvailable { backends.append(.pkcs11(through: .direct)) }
        if SoftHSM.isProxyAvailable { backends.append(.pkcs11(through: .p11KitProxy)) }
        backends.append(.filekms)
        if AWSKMSMoto.enabled { backends.append(.awskms) }
        if GCPKMSFake.enabled { backends.append(.cloudkms) }
        if AzureKVFake.enabled { backends.append(.azurekms) }
        if let underTest = KMSBackend.underTest { backends.append(underTest) }
        return backends
    }()

    /// The PKCS#11 plugin on a SoftHSM2 token, through SoftHSM's module or the p11-kit proxy.
    static func pkcs11(through route: SoftHSM.Route) -> KMSBackend {
        KMSBackend(
            label: route == .direct ? "pkcs11 plugin on SoftHSM2" : "pkcs11 plugin through the p11-kit proxy",
            load: { try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "pkcs11") },
            config: { try SoftHSM.shared().config(route: route) },
            existingKeys: {
                let hsm = try SoftHSM.shared()
                return [ExistingKey(name: hsm.ecKeyName, algorithms: KeySpec.p256.algorithms),
                        ExistingKey(name: hsm.rsaKeyName, algorithms: KeySpec.rsa2048.algorithms)]
            },
            newKeyName: { "pkcs11:id=\($0);object=conformance-\($0)" },
            creatable: [.p256, .p384, .rsa2048],
            storesCertificates: true,
            unknownKeyName: "pkcs11:id=%7f%7e;object=no-such-key")
    }

    /// The plain-C example plugin (`examples/c-filekms`, OpenSSL keys in a directory), loaded
    /// from its own path as a third party's plugin would be.
    static let filekms = KMSBackend(
        label: "C filekms plugin (examples/c-filekms)",
        load: { try PluginLoader.open(path: CPlugins.filekmsPath(), kind: .keyManagement) },
        config: { "{\"type\":\"filekms\",\"uri\":\"filekms:dir=\(try FileKMSKeys.shared.get().directory)\"}" },
        existingKeys: {
            let keys = try FileKMSKeys.shared.get()
            return [ExistingKey(name: keys.ecName, algorithms: KeySpec.p256.algorithms),
                    ExistingKey(name: keys.rsaName, algorithms: KeySpec.rsa2048.algorithms)]
        },
        newKeyName: { "filekms:name=conformance-\($0)" },
        creatable: [.p256, .p384, .rsa2048],
        storesCertificates: true,
        unknownKeyName: "filekms:name=no-such-key")

    /// The AWS KMS plugin on moto with SigV4 checking on (scripts/services/moto.sh). AWS signs
    /// P-256 keys with ECDSA_SHA_256 only and P-384 keys with ECDSA_SHA_384 only.
    static var awskms: KMSBackend {
        KMSBackend(
            label: "awskms plugin on moto",
            load: { try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "awskms") },
            config: { try AWSKMSMoto.pluginConfigJSON() },
            existingKeys: {
                try AWSKMSMoto.sharedKeys().map { key in
                    ExistingKey(name: key.name, algorithms: key.algorithms.compactMap { KMSSignatureAlgorithm(rawValue: $0.rawValue) })
                }
            },
            newKeyName: { "conformance-\($0)" },
            creatable: [KeySpec(type: .ecP256, algorithms: [.ecdsaSHA256]),
                        KeySpec(type: .ecP384, algorithms: [.ecdsaSHA384]), .rsa2048],
            refusesTakenNames: false,
            unknownKeyName: "awskms:key-id=00000000-0000-0000-0000-00000000dead")
    }

    /// The Azure Key Vault plugin on the Key Vault test server (scripts/services/azurekv_fake.py).
    /// Key Vault signs P-256 keys with ES256 only and P-384 keys with ES384 only; creating a key
    /// under a taken name adds a version, as step-ca's azurekms does.
    static var azurekms: KMSBackend {
        KMSBackend(
            label: "azurekms plugin on the Key Vault test server",
            load: { try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "azurekms") },
            config: { try sharedAzureKVFake().config() },
            existingKeys: {
                let fake = try sharedAzureKVFake()
                return [ExistingKey(name: fake.ecKey, algorithms: [.ecdsaSHA256]),
                        ExistingKey(name: fake.rsaKey, algorithms: KeySpec.rsa2048.algorithms)]
            },
            newKeyName: { "azurekms:name=conformance-\($0);vault=test-vault" },
            creatable: [KeySpec(type: .ecP256, algorithms: [.ecdsaSHA256]),
                        KeySpec(type: .ecP384, algorithms: [.ecdsaSHA384]), .rsa2048],
            refusesTakenNames: false,
            unknownKeyName: "azurekms:name=no-such-key;vault=test-vault")
    }

    /// The Google Cloud KMS plugin on the Cloud KMS test server (scripts/services/gcpkms_fake.py).
    /// A Cloud KMS key version signs with its key's one algorithm (EC_SIGN_P256_SHA256,
    /// EC_SIGN_P384_SHA384, RSA_SIGN_PKCS1_2048_SHA256); a name with a version that exists is taken.
    static var cloudkms: KMSBackend {
        KMSBackend(
            label: "cloudkms plugin on the Cloud KMS test server",
            load: { try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "cloudkms") },
            config: { try sharedGCPKMSFake().config() },
            existingKeys: {
                let fake = try sharedGCPKMSFake()
                return [ExistingKey(name: fake.ecKey, algorithms: [.ecdsaSHA256]),
                        ExistingKey(name: fake.rsaKey, algorithms: [.rsaPKCS1SHA256])]
            },
            newKeyName: { "projects/stepca-test/locations/global/keyRings/conformance/cryptoKeys/conformance-\($0)" },
            creatable: [KeySpec(type: .ecP256, algorithms: [.ecdsaSHA256]),
                        KeySpec(type: .ecP384, algorithms: [.ecdsaSHA384]),
                        KeySpec(type: .rsa, bits: 2048, algorithms: [.rsaPKCS1SHA256])],
            unknownKeyName: "projects/stepca-test/locations/global/keyRings/conformance/cryptoKeys/no-such-key/cryptoKeyVersions/1")
    }

    /// A third-party plugin named by `STEPCA_KMS_UNDER_TEST` (see the top of this file).
    static var underTest: KMSBackend? {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["STEPCA_KMS_UNDER_TEST"], !path.isEmpty else { return nil }
        let config = environment["STEPCA_KMS_UNDER_TEST_CONFIG"] ?? "{}"
        let key = environment["STEPCA_KMS_UNDER_TEST_KEY"] ?? ""
        let pattern = environment["STEPCA_KMS_UNDER_TEST_NEW_KEY"]
        return KMSBackend(
            label: "plugin under test (\((path as NSString).lastPathComponent))",
            load: { try PluginLoader.open(path: path, kind: .keyManagement) },
            config: { config },
            existingKeys: {
                guard !key.isEmpty else { throw TestSetupError("STEPCA_KMS_UNDER_TEST_KEY names no key") }
                return [ExistingKey(name: key, algorithms: [])]
            },
            newKeyName: pattern.map { pattern in { pattern.replacingOccurrences(of: "{}", with: $0) } },
            creatable: pattern == nil ? [] : [.p256],
            storesCertificates: pattern != nil,
            unknownKeyName: pattern?.replacingOccurrences(of: "{}", with: "missing-7f7e") ?? key + "-missing-7f7e")
    }
}

/// A unique, hex-only suffix for key names (usable as a PKCS#11 id).
func uniqueKeySuffix() -> String {
    randomBytes(6).map { String(format: "%02x", $0) }.joined()
}

/// The key directory of the filekms backend, made once per test process: a P-256 and an
/// RSA-2048 key written by openssl (PKCS#8 PEM, mode 0600), as an operator would provide them.
struct FileKMSKeys: Sendable {
    let directory: String
    let ecName = "filekms:name=existing-ec"
    let rsaName = "filekms:name=existing-rsa"

    static let shared: Result<FileKMSKeys, Error> = Result {
        let openssl = try TestEnvironment.requireTool("openssl")
        let directory = NSTemporaryDirectory() + "stepca-filekms-\(uniqueKeySuffix())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for (file, options) in [("existing-ec", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                                ("existing-rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])] {
            let path = directory + "/" + file + ".pem"
            let result = try run(openssl, ["genpkey"] + options + ["-out", path])
            guard result.status == 0 else { throw TestSetupError("openssl genpkey failed: \(result.output)") }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        return FileKMSKeys(directory: directory)
    }
}
