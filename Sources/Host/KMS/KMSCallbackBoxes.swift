internal import PluginABI

/// Receives the key reported by `create_key`.
final class CreatedKeyBox: @unchecked Sendable {
    var created: KMSCreatedKey?

    static let done: stepca_kms_key_fn = { context, name, nameLength, publicKey, publicLength in
        let box = Unmanaged<CreatedKeyBox>.fromOpaque(context!).takeUnretainedValue()
        let text = name.map {
            $0.withMemoryRebound(to: UInt8.self, capacity: nameLength) {
                String(decoding: UnsafeBufferPointer(start: $0, count: nameLength), as: UTF8.self)
            }
        } ?? ""
        let der = publicKey.map { Array(UnsafeBufferPointer(start: $0, count: publicLength)) } ?? []
        box.created = KMSCreatedKey(name: text, publicKeyDER: der)
    }
}

/// Carries the continuation of one `sign_async` call to its completion, which may run on any
/// thread. Retained for the plugin by the caller and released by the completion.
final class SignCompletionBox: @unchecked Sendable {
    let continuation: CheckedContinuation<[UInt8], Error>
    let plugin: String
    let operation: String

    init(continuation: CheckedContinuation<[UInt8], Error>, plugin: String, operation: String) {
        self.continuation = continuation
        self.plugin = plugin
        self.operation = operation
    }

    static let done: stepca_kms_sign_done_fn = { context, status, signature, signatureLength, message, messageLength in
        let box = Unmanaged<SignCompletionBox>.fromOpaque(context!).takeRetainedValue()
        if status == STEPCA_OK {
            let bytes = signature.map { Array(UnsafeBufferPointer(start: $0, count: signatureLength)) } ?? []
            box.continuation.resume(returning: bytes)
        } else {
            let text = message.map {
                $0.withMemoryRebound(to: UInt8.self, capacity: messageLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: messageLength), as: UTF8.self)
                }
            } ?? ""
            box.continuation.resume(throwing: KMSError(plugin: box.plugin, operation: box.operation, status: status, message: text))
        }
    }
}
