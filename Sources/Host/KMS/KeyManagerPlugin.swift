internal import PluginABI
import NIOConcurrencyHelpers

/// A key manager served by a KMS plugin through the C ABI (`stepca_kms_v1`).
///
/// Blocking calls run on the plugin thread pool (``LoadedPlugin/call(_:)``), never on an event
/// loop; a plugin that sets `STEPCA_F_ASYNC_SIGN` and fills `sign_async` signs without occupying
/// a pool thread. Failures become ``KMSError``s carrying the plugin's message. Optional slots the
/// plugin lacks (NULL, or beyond its table's `struct_size`) report ``KMSError/Code/unsupported``.
final class KeyManagerPlugin: @unchecked Sendable {
    /// The table and the open handle, usable from any pool thread (the plugin serialises itself
    /// or is serialised by ``LoadedPlugin``).
    struct Raw: @unchecked Sendable {
        let table: UnsafePointer<stepca_kms_v1>
        let handle: OpaquePointer
    }

    let plugin: LoadedPlugin
    private let raw: Raw
    private let closed = NIOLockedValueBox(false)

    /// The plugin's short name (`pkcs11`).
    var name: String { plugin.name }

    /// Opens a session with the ca.json `kms` object as JSON text, on the current thread
    /// (start-up and tools). Use ``open(plugin:configJSON:)`` from async code.
    init(plugin: LoadedPlugin, configJSON: String) throws {
        precondition(plugin.kind == .keyManagement, "\(plugin.path) is not a KMS plugin")
        self.plugin = plugin
        let table = plugin.table.assumingMemoryBound(to: stepca_kms_v1.self)
        var handle: OpaquePointer?
        let status = plugin.callNow {
            ErrorBuffer.withBuffer { err in
                var json = configJSON
                return json.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { table.pointee.open!($0.baseAddress, $0.count, &handle, err) }
                }
            }
        }
        guard status.code == STEPCA_OK, let handle else {
            throw KMSError(plugin: plugin.name, operation: "open", status: status.code == STEPCA_OK ? STEPCA_E_INTERNAL : status.code,
                           message: status.code == STEPCA_OK ? "open returned no handle" : status.message)
        }
        self.raw = Raw(table: table, handle: handle)
    }

    /// Opens a session on the plugin thread pool (opening may log in to a device or reach a network).
    static func open(plugin: LoadedPlugin, configJSON: String) async throws -> KeyManagerPlugin {
        try await PluginThreadPool.shared.runIfActive {
            try KeyManagerPlugin(plugin: plugin, configJSON: configJSON)
        }
    }

    /// The DER SubjectPublicKeyInfo of a key.
    func publicKey(name: String) async throws -> [UInt8] {
        try await run("get public key \(name)") { t, h, err in
            Self.withBuffer(capacity: 2048) { out, length in
                withText(name) { t.pointee.get_public_key!(h, $0.baseAddress, $0.count, out, length, err) }
            }
        }
    }

    /// Signs a digest (for ECDSA and RSA; the message for Ed25519). ECDSA signatures are DER.
    func sign(key: String, algorithm: KMSSignatureAlgorithm, digest: [UInt8]) async throws -> [UInt8] {
        try checkOpen("sign with \(key)")
        if plugin.asynchronousSigning, let signAsync = slot(\.sign_async) {
            return try await signAsynchronously(signAsync, key: key, algorithm: algorithm, digest: digest)
        }
        return try await run("sign with \(key)") { t, h, err in
            Self.withBuffer(capacity: 1024) { out, length in
                withText(key) { k in
                    digest.withUnsafeBufferPointer { d in
                        t.pointee.sign!(h, k.baseAddress, k.count, algorithm.rawValue, d.baseAddress, d.count, out, length, err)
                    }
                }
            }
        }
    }

    /// Creates a key; returns its ca.json name and public key.
    func createKey(_ request: KMSKeyRequest) async throws -> KMSCreatedKey {
        let operation = "create key \(request.name)"
        guard let createKey = slot(\.create_key) else { throw unsupported(operation) }
        let box = CreatedKeyBox()
        try await run(operation) { _, h, err in
            withText(request.name) { name in
                var raw = stepca_kms_key_request(
                    struct_size: UInt32(MemoryLayout<stepca_kms_key_request>.size), key_type: request.type.rawValue,
                    bits: UInt32(clamping: request.bits), flags: request.hardware ? STEPCA_KEYF_HSM : 0,
                    name: name.baseAddress, name_len: name.count,
                    sig_alg: request.signatureAlgorithm?.rawValue ?? 0, reserved: 0)
                return createKey(h, &raw, CreatedKeyBox.done, Unmanaged.passUnretained(box).toOpaque(), err)
            }
        }
        guard let created = box.created else {
            throw KMSError(code: .internal, plugin: plugin.name, operation: operation,
                           pluginMessage: "create_key succeeded without reporting the key")
        }
        return created
    }

    /// Deletes a key.
    func deleteKey(name: String) async throws {
        let operation = "delete key \(name)"
        guard let deleteKey = slot(\.delete_key) else { throw unsupported(operation) }
        try await run(operation) { _, h, err in
            withText(name) { deleteKey(h, $0.baseAddress, $0.count, err) }
        }
    }

    /// The DER certificate stored under a name.
    func loadCertificate(name: String) async throws -> [UInt8] {
        let operation = "load certificate \(name)"
        guard let load = slot(\.load_certificate) else { throw unsupported(operation) }
        let box = ValueBox()
        try await run(operation) { _, h, err in
            withText(name) { load(h, $0.baseAddress, $0.count, ValueBox.sink, Unmanaged.passUnretained(box).toOpaque(), err) }
        }
        return box.value ?? []
    }

    /// Stores a DER certificate under a name.
    func storeCertificate(name: String, der: [UInt8]) async throws {
        let operation = "store certificate \(name)"
        guard let store = slot(\.store_certificate) else { throw unsupported(operation) }
        try await run(operation) { _, h, err in
            withText(name) { n in
                der.withUnsafeBufferPointer { store(h, n.baseAddress, n.count, $0.baseAddress, $0.count, err) }
            }
        }
    }

    /// Whether the plugin fills an optional slot (create_key, certificates, ...).
    var supportsKeyCreation: Bool { slot(\.create_key) != nil }
    var supportsCertificates: Bool { slot(\.load_certificate) != nil && slot(\.store_certificate) != nil }

    /// Closes the session once; later calls fail with ``KMSError/Code/unavailable``.
    func close() async {
        let wasOpen = closed.withLockedValue { closed in
            defer { closed = true }
            return !closed
        }
        guard wasOpen else { return }
        let raw = self.raw
        _ = try? await plugin.call { raw.table.pointee.close!(raw.handle) }
    }

    // MARK: Plumbing

    /// A function slot, or nil when it is NULL or beyond the plugin's `struct_size`.
    private func slot<T>(_ keyPath: KeyPath<stepca_kms_v1, T?>) -> T? {
        guard let offset = MemoryLayout<stepca_kms_v1>.offset(of: keyPath),
              offset + MemoryLayout<T?>.size <= Int(raw.table.pointee.struct_size) else { return nil }
        return UnsafeRawPointer(raw.table).load(fromByteOffset: offset, as: T?.self)
    }

    private func unsupported(_ operation: String) -> KMSError {
        KMSError(code: .unsupported, plugin: plugin.name, operation: operation,
                 pluginMessage: "the plugin does not implement this operation")
    }

    private func checkOpen(_ operation: String) throws {
        if closed.withLockedValue({ $0 }) {
            throw KMSError(code: .unavailable, plugin: plugin.name, operation: operation, pluginMessage: "the key manager is closed")
        }
    }

    /// Runs one blocking call on the plugin pool and converts a failure status.
    @discardableResult
    private func run<T: Sendable>(_ operation: String,
                                  _ body: @escaping @Sendable (UnsafePointer<stepca_kms_v1>, OpaquePointer, UnsafeMutablePointer<stepca_errbuf>) -> (Int32, T))
        async throws -> T {
        try checkOpen(operation)
        let raw = self.raw
        let outcome = try await plugin.call { () -> (code: Int32, message: String, value: T?) in
            var value: T?
            let status = ErrorBuffer.withBuffer { err -> Int32 in
                let (code, result) = body(raw.table, raw.handle, err)
                value = result
                return code
            }
            return (status.code, status.message, value)
        }
        guard outcome.code == STEPCA_OK, let value = outcome.value else {
            throw KMSError(plugin: plugin.name, operation: operation, status: outcome.code, message: outcome.message)
        }
        return value
    }

    private func run(_ operation: String,
                     _ body: @escaping @Sendable (UnsafePointer<stepca_kms_v1>, OpaquePointer, UnsafeMutablePointer<stepca_errbuf>) -> Int32)
        async throws {
        try await run(operation) { t, h, err in (body(t, h, err), true) }
    }

    /// Calls `body` with an output buffer of `capacity` bytes; when the plugin answers
    /// `STEPCA_E_BUFFER_TOO_SMALL` with the needed size, calls it once more with that size.
    private static func withBuffer(capacity: Int,
                                   _ body: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Int>) -> Int32) -> (Int32, [UInt8]) {
        var size = capacity
        for _ in 0..<2 {
            var buffer = [UInt8](repeating: 0, count: size)
            var length = size
            let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, &length) }
            if status == STEPCA_E_BUFFER_TOO_SMALL, length > size, length <= 1 << 20 {
                size = length
                continue
            }
            guard status == STEPCA_OK else { return (status, []) }
            return (status, Array(buffer.prefix(min(length, size))))
        }
        return (STEPCA_E_BUFFER_TOO_SMALL, [])
    }

    /// Starts `sign_async` and waits for its completion. A thread-safe plugin is started on the
    /// calling thread (the start must not block); any other may be busy on a pool thread, so its
    /// start waits there rather than on an event loop.
    private func signAsynchronously(_ signAsync: @escaping @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int, UInt32, UnsafePointer<UInt8>?, Int, stepca_kms_sign_done_fn?, UnsafeMutableRawPointer?, UnsafeMutablePointer<stepca_errbuf>?) -> Int32,
                                    key: String, algorithm: KMSSignatureAlgorithm, digest: [UInt8]) async throws -> [UInt8] {
        let raw = self.raw
        let plugin = self.plugin
        let operation = "sign with \(key)"
        return try await withCheckedThrowingContinuation { continuation in
            let box = SignCompletionBox(continuation: continuation, plugin: plugin.name, operation: operation)
            let start: @Sendable () -> Void = {
                let context = Unmanaged.passRetained(box).toOpaque()
                let status = plugin.callNow {
                    ErrorBuffer.withBuffer { err in
                        withText(key) { k in
                            digest.withUnsafeBufferPointer { d in
                                signAsync(raw.handle, k.baseAddress, k.count, algorithm.rawValue, d.baseAddress, d.count,
                                          SignCompletionBox.done, context, err)
                            }
                        }
                    }
                }
                if status.code != STEPCA_OK {
                    Unmanaged<SignCompletionBox>.fromOpaque(context).release()
                    continuation.resume(throwing: KMSError(plugin: plugin.name, operation: operation, status: status.code,
                                                           message: status.message))
                }
            }
            guard !plugin.threadSafe else { return start() }
            PluginThreadPool.shared.submit { state in
                guard case .active = state else {
                    return continuation.resume(throwing: KMSError(plugin: plugin.name, operation: operation, status: STEPCA_E_UNAVAILABLE,
                                                                  message: "the plugin thread pool has stopped"))
                }
                start()
            }
        }
    }
}

@inline(__always)
private func withText<T>(_ text: String, _ body: (UnsafeBufferPointer<CChar>) -> T) -> T {
    var copy = text
    return copy.withUTF8 { utf8 in utf8.withMemoryRebound(to: CChar.self, body) }
}
