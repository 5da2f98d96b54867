import Foundation
import PluginABI
import Testing
@testable import Host

/// The two virtual YubiKeys behind a real pcscd (`scripts/services/piv-vcard.sh`): started by the
/// tests when needed, reset to an empty state before each test. PC/SC has one pcscd per machine,
/// so every test using it runs in one serialised suite.
enum VirtualYubiKeys {
    static let reader = "Yubico YubiKey vpcd 00 00"
    static let reader2 = "Yubico YubiKey vpcd 00 01"
    static let pin = "123456"
    /// Card 1: firmware 5.4.3, 3DES management key.
    static let serial: UInt32 = 12345678
    /// Card 2: firmware 5.7.1, AES-192 management key (unless a test resets it otherwise).
    static let serial2: UInt32 = 23456789
    static let defaultManagementKey = "010203040506070801020304050607080102030405060708"

    static var script: String { TestEnvironment.repositoryRoot.appendingPathComponent("scripts/services/piv-vcard.sh").path }

    /// Whether pcscd, the vpcd driver and yubico-piv-tool are installed.
    static var installed: Bool {
        FileManager.default.fileExists(atPath: "/usr/sbin/pcscd")
            && FileManager.default.fileExists(atPath: "/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
            && TestEnvironment.tool("yubico-piv-tool") != nil
    }

    /// The tests run when the tools are installed, and always in CI (where the script installs
    /// what is missing, and a failure to start is a test failure).
    static var enabled: Bool { TestEnvironment.isCI || installed }

    /// Starts pcscd and the cards if needed, then gives both cards a fresh state.
    /// `managementKeyAlgorithm2`/`managementKey2` configure the second card's management key.
    static func reset(managementKeyAlgorithm2: String = "aes192", managementKey2: String? = nil) throws {
        let start = try runScript(["start"], environment: [:])
        guard start.status == 0 else { throw TestSetupError("piv-vcard.sh start failed:\n\(start.output)") }
        var environment = ["PIV_MGM_ALG2": managementKeyAlgorithm2]
        if let managementKey2 { environment["PIV_MGM_KEY2"] = managementKey2 }
        let reset = try runScript(["reset"], environment: environment)
        guard reset.status == 0 else { throw TestSetupError("piv-vcard.sh reset failed:\n\(reset.output)") }
    }

    private static func runScript(_ arguments: [String], environment: [String: String]) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutput(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// A ca.json `kms` object for the yubikey plugin.
    static func config(uri: String, extra: [String: String] = [:]) -> String {
        var object = ["type": "yubikey", "uri": uri]
        object.merge(extra) { _, new in new }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The URI of card 1 (or 2) with the PIN and the default management key.
    static func uri(serial: UInt32 = serial, pin: String = pin, managementKey: String = defaultManagementKey) -> String {
        "yubikey:management-key=\(managementKey);serial=\(serial)?pin-value=\(pin)"
    }

    /// Runs `yubico-piv-tool` against a reader.
    static func pivTool(_ arguments: [String], reader: String = reader) throws -> ProcessOutput {
        try run(TestEnvironment.requireTool("yubico-piv-tool"), ["-r", reader] + arguments)
    }
}

/// A failed KMS plugin call: the ABI status and the plugin's message.
struct KMSCallError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "status \(code): \(message)" }
}

/// The yubikey plugin loaded through the host's loader and driven through its C function table,
/// as the host does.
final class YubiKeyKMSClient {
    private let table: stepca_kms_v1
    private var handle: OpaquePointer?

    static func load() throws -> stepca_kms_v1 {
        let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "yubikey")
        return plugin.table.assumingMemoryBound(to: stepca_kms_v1.self).pointee
    }

    init(config: String) throws {
        table = try Self.load()
        var opened: OpaquePointer?
        try Self.call { err in
            config.withCString { table.open!(UnsafePointer($0), strlen($0), &opened, err) }
        }
        handle = opened
    }

    deinit {
        if let handle { table.close!(handle) }
    }

    func close() {
        if let handle { table.close!(handle) }
        handle = nil
    }

    static func call(_ body: (UnsafeMutablePointer<stepca_errbuf>) -> Int32) throws {
        let (code, message) = ErrorBuffer.withBuffer(body)
        guard code == STEPCA_OK else { throw KMSCallError(code: code, message: message) }
    }

    func publicKey(_ name: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var length = buffer.count
        try Self.call { err in
            name.withCString { key in
                buffer.withUnsafeMutableBufferPointer { table.get_public_key!(handle, key, strlen(key), $0.baseAddress, &length, err) }
            }
        }
        return Array(buffer[..<length])
    }

    func sign(_ name: String, algorithm: UInt32, digest: [UInt8]) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 1024)
        var length = buffer.count
        try Self.call { err in
            name.withCString { key in
                digest.withUnsafeBufferPointer { input in
                    buffer.withUnsafeMutableBufferPointer {
                        table.sign!(handle, key, strlen(key), algorithm, input.baseAddress, input.count, $0.baseAddress, &length, err)
                    }
                }
            }
        }
        return Array(buffer[..<length])
    }

    /// Creates a key; returns the name the plugin reports and the DER public key.
    func createKey(_ name: String, type: UInt32, bits: UInt32 = 0) throws -> (name: String, publicKey: [UInt8]) {
        final class Box { var name = ""; var key: [UInt8] = [] }
        let box = Box()
        try Self.call { err in
            name.withCString { cName in
                var request = stepca_kms_key_request(struct_size: UInt32(MemoryLayout<stepca_kms_key_request>.size), key_type: type,
                                                     bits: bits, flags: 0, name: cName, name_len: strlen(cName), sig_alg: 0, reserved: 0)
                return table.create_key!(handle, &request, { context, name, nameLength, der, derLength in
                    let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
                    box.name = String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self)
                    box.key = Array(UnsafeBufferPointer(start: der, count: derLength))
                }, Unmanaged.passUnretained(box).toOpaque(), err)
            }
        }
        return (box.name, box.key)
    }

    func storeCertificate(_ name: String, der: [UInt8]) throws {
        try Self.call { err in
            name.withCString { key in
                der.withUnsafeBufferPointer { table.store_certificate!(handle, key, strlen(key), $0.baseAddress, $0.count, err) }
            }
        }
    }

    func loadCertificate(_ name: String) throws -> [UInt8] {
        final class Box { var bytes: [UInt8] = [] }
        let box = Box()
        try Self.call { err in
            name.withCString { key in
                table.load_certificate!(handle, key, strlen(key), { context, bytes, length in
                    Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue().bytes = Array(UnsafeBufferPointer(start: bytes, count: length))
                }, Unmanaged.passUnretained(box).toOpaque(), err)
            }
        }
        return box.bytes
    }
}

/// openssl as the independent verifier of keys and signatures.
enum OpenSSLCheck {
    /// SHA-2 digest of a file with openssl (`sha256`, `sha384`, `sha512`).
    static func digest(_ hash: String, file: String) throws -> [UInt8] {
        let out = try run(TestEnvironment.requireTool("openssl"), ["dgst", "-\(hash)", "-binary", "-out", file + ".\(hash)", file])
        guard out.status == 0 else { throw TestSetupError("openssl dgst: \(out.output)") }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: file + ".\(hash)")))
    }

    /// Verifies a signature over a file with a DER public key; `options` are extra -sigopt values.
    static func verify(publicKeyDER: [UInt8], hash: String, file: String, signature: [UInt8], options: [String] = [],
                       in scratch: ScratchDirectory) throws -> ProcessOutput {
        let key = scratch.file("verify-key.der"), sig = scratch.file("verify.sig")
        try Data(publicKeyDER).write(to: URL(fileURLWithPath: key))
        try Data(signature).write(to: URL(fileURLWithPath: sig))
        var arguments = ["dgst", "-\(hash)", "-keyform", "DER", "-verify", key, "-signature", sig]
        for option in options { arguments += ["-sigopt", option] }
        return try run(TestEnvironment.requireTool("openssl"), arguments + [file])
    }

    /// A PEM public key converted to DER.
    static func publicKeyDER(pem file: String) throws -> [UInt8] {
        let out = try run(TestEnvironment.requireTool("openssl"), ["pkey", "-pubin", "-in", file, "-outform", "DER", "-out", file + ".der"])
        guard out.status == 0 else { throw TestSetupError("openssl pkey: \(out.output)") }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: file + ".der")))
    }

    /// A certificate for `publicKeyDER`, issued by a throwaway CA; returned as DER.
    static func certificate(for publicKeyDER: [UInt8], subject: String, in scratch: ScratchDirectory) throws -> [UInt8] {
        let openssl = try TestEnvironment.requireTool("openssl")
        try Data(publicKeyDER).write(to: URL(fileURLWithPath: scratch.file("subject.der")))
        let steps: [[String]] = [
            ["pkey", "-pubin", "-inform", "DER", "-in", scratch.file("subject.der"), "-out", scratch.file("subject.pem")],
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", scratch.file("ca.key")],
            ["req", "-x509", "-new", "-key", scratch.file("ca.key"), "-subj", "/CN=test-ca", "-days", "2", "-out", scratch.file("ca.pem")],
            ["req", "-new", "-key", scratch.file("ca.key"), "-subj", "/CN=x", "-out", scratch.file("x.csr")],
            ["x509", "-req", "-in", scratch.file("x.csr"), "-CA", scratch.file("ca.pem"), "-CAkey", scratch.file("ca.key"),
             "-force_pubkey", scratch.file("subject.pem"), "-subj", subject, "-days", "2", "-outform", "DER", "-out", scratch.file("cert.der")],
        ]
        for step in steps {
            let out = try run(openssl, step)
            guard out.status == 0 else { throw TestSetupError("openssl \(step[0]): \(out.output)") }
        }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.file("cert.der"))))
    }
}

/// Expects a KMS call to fail with `code`; returns the message.
@discardableResult
func expectYubiKeyError(_ code: Int32, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected a KMS error \(code), the call succeeded", sourceLocation: sourceLocation)
        return ""
    } catch let error as KMSCallError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return ""
    }
}

extension KMSBackend {
    /// The yubikey plugin on the second virtual card, with keys in 9a (P-256) and 9c (RSA-2048)
    /// made beforehand (see `YubiKeyPluginTests.conformance`). New keys go to the retired slots
    /// 82–94 in turn; 95 stays empty as the unknown key. The cards are shared by every PC/SC
    /// test, so this backend only runs inside the serialised YubiKey suite.
    static func yubikey() -> KMSBackend {
        let slots = RetiredSlotCounter()
        return KMSBackend(
            label: "yubikey plugin on a virtual YubiKey",
            load: { try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "yubikey") },
            config: { VirtualYubiKeys.config(uri: VirtualYubiKeys.uri(serial: VirtualYubiKeys.serial2)) },
            existingKeys: {
                [ExistingKey(name: "yubikey:slot-id=9a", algorithms: KeySpec.p256.algorithms),
                 ExistingKey(name: "yubikey:slot-id=9c", algorithms: KeySpec.rsa2048.algorithms)]
            },
            newKeyName: { _ in "yubikey:slot-id=\(slots.next())" },
            creatable: [.p256, .p384, .rsa2048],
            storesCertificates: true,
            unknownKeyName: "yubikey:slot-id=95")
    }
}

/// Hands out the retired key slots 82–94, one per call.
final class RetiredSlotCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt8 = 0x82

    func next() -> String {
        lock.withLock {
            precondition(value <= 0x94, "the conformance suite used more than 19 new key names")
            defer { value += 1 }
            return String(value, radix: 16)
        }
    }
}
