internal import PluginABI

/// Answers `stepca_plugin_entry` for a KMS plugin implemented by `backend`.
public func exportKeyManagementPlugin(_ backend: any KeyManagementBackend.Type, info: PluginInfo,
                                      _ hostMajor: UInt32, _ host: OpaquePointer?,
                                      _ out: OpaquePointer?, _ err: OpaquePointer?) -> Int32 {
    PluginState.keyManager = backend
    let args = PluginEntryArguments(
        hostMajor: hostMajor,
        host: UnsafePointer(host),
        out: UnsafeMutablePointer(out),
        err: UnsafeMutablePointer(err))
    return answerEntry(args, info: info, kind: STEPCA_KIND_KMS) { UnsafeRawPointer(keyManagementTable) }
}

/// The boxed backend behind a `stepca_kms *` handle.
private final class KeyManagementHandle {
    let backend: any KeyManagementBackend
    init(_ backend: any KeyManagementBackend) { self.backend = backend }
}

@inline(__always)
private func handle(_ kms: OpaquePointer?) throws -> any KeyManagementBackend {
    guard let kms else { throw PluginError.invalidArgument("key manager handle is NULL") }
    return Unmanaged<KeyManagementHandle>.fromOpaque(UnsafeRawPointer(kms)).takeUnretainedValue().backend
}

private func signatureAlgorithm(_ raw: UInt32) throws -> SignatureAlgorithm {
    guard let algorithm = SignatureAlgorithm(rawValue: raw) else {
        throw PluginError.invalidArgument("unknown signature algorithm \(raw)")
    }
    return algorithm
}

/// A sendable wrapper for the C completion and its context.
private struct SignCompletion: @unchecked Sendable {
    let done: stepca_kms_sign_done_fn
    let context: UnsafeMutableRawPointer?

    func callAsFunction(_ result: Result<[UInt8], PluginError>) {
        switch result {
        case .success(let signature):
            signature.withUnsafeBufferPointer { done(context, STEPCA_OK, $0.baseAddress, $0.count, nil, 0) }
        case .failure(let error):
            var message = error.message
            message.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) {
                    done(context, error.code.rawValue, nil, 0, $0.baseAddress, $0.count)
                }
            }
        }
    }
}

/// The static C function table of every Swift KMS plugin.
private let keyManagementTable: UnsafePointer<stepca_kms_v1> = {
    let table = UnsafeMutablePointer<stepca_kms_v1>.allocate(capacity: 1)
    table.initialize(to: stepca_kms_v1(
        struct_size: UInt32(MemoryLayout<stepca_kms_v1>.size),
        reserved: 0,
        open: { config, length, out, err in
            withStatus(err) {
                guard let type = PluginState.keyManager else { throw PluginError.internal("plugin not initialised") }
                guard let out else { throw PluginError.invalidArgument("handle output pointer is NULL") }
                let backend = try type.open(configJSON: string(config, length), host: PluginState.host)
                out.pointee = OpaquePointer(Unmanaged.passRetained(KeyManagementHandle(backend)).toOpaque())
            }
        },
        close: { kms in
            guard let kms else { return }
            let box = Unmanaged<KeyManagementHandle>.fromOpaque(UnsafeRawPointer(kms))
            box.takeUnretainedValue().backend.close()
            box.release()
        },
        get_public_key: { kms, key, keyLength, out, outLength, err in
            withStatus(err) { try copyOut(handle(kms).publicKey(name: string(key, keyLength)), out, outLength) }
        },
        sign: { kms, key, keyLength, algorithm, digest, digestLength, signature, signatureLength, err in
            withStatus(err) {
                let value = try handle(kms).sign(key: string(key, keyLength), algorithm: signatureAlgorithm(algorithm),
                                                 digest: bytes(digest, digestLength))
                try copyOut(value, signature, signatureLength)
            }
        },
        create_key: { kms, request, done, doneContext, err in
            withStatus(err) {
                guard let request else { throw PluginError.invalidArgument("key request is NULL") }
                let raw = request.pointee
                guard let type = KeyType(rawValue: raw.key_type) else {
                    throw PluginError.invalidArgument("unknown key type \(raw.key_type)")
                }
                let created = try handle(kms).createKey(KeyRequest(
                    name: string(raw.name, raw.name_len), type: type, bits: Int(raw.bits),
                    hardware: raw.flags & STEPCA_KEYF_HSM != 0,
                    signatureAlgorithm: SignatureAlgorithm(rawValue: raw.sig_alg)))
                guard let done else { return }
                var name = created.name
                name.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { chars in
                        created.publicKeyDER.withUnsafeBufferPointer {
                            done(doneContext, chars.baseAddress, chars.count, $0.baseAddress, $0.count)
                        }
                    }
                }
            }
        },
        delete_key: { kms, key, keyLength, err in
            withStatus(err) { try handle(kms).deleteKey(name: string(key, keyLength)) }
        },
        load_certificate: { kms, name, nameLength, sink, sinkContext, err in
            withStatus(err) { deliver(try handle(kms).loadCertificate(name: string(name, nameLength)), sink, sinkContext) }
        },
        store_certificate: { kms, name, nameLength, der, derLength, err in
            withStatus(err) { try handle(kms).storeCertificate(name: string(name, nameLength), der: bytes(der, derLength)) }
        },
        decrypt: { kms, key, keyLength, algorithm, ciphertext, ciphertextLength, sink, sinkContext, err in
            withStatus(err) {
                guard let algorithm = DecryptionAlgorithm(rawValue: algorithm) else {
                    throw PluginError.invalidArgument("unknown decryption algorithm \(algorithm)")
                }
                let plain = try handle(kms).decrypt(key: string(key, keyLength), algorithm: algorithm,
                                                    ciphertext: bytes(ciphertext, ciphertextLength))
                deliver(plain, sink, sinkContext)
            }
        },
        attest: { kms, key, keyLength, sink, sinkContext, err in
            withStatus(err) { deliver(try handle(kms).attest(key: string(key, keyLength)), sink, sinkContext) }
        },
        sign_async: { kms, key, keyLength, algorithm, digest, digestLength, done, doneContext, err in
            withStatus(err) {
                guard let done else { throw PluginError.invalidArgument("completion callback is NULL") }
                let backend = try handle(kms)
                let algorithm = try signatureAlgorithm(algorithm)
                backend.signAsync(key: string(key, keyLength), algorithm: algorithm,
                                  digest: bytes(digest, digestLength),
                                  completion: SignCompletion(done: done, context: doneContext).callAsFunction)
            }
        }
    ))
    return UnsafePointer(table)
}()
