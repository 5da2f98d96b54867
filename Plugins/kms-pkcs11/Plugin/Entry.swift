import PluginKit
import PKCS11KMS

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportKeyManagementPlugin(
        PKCS11KeyManager.self,
        info: PluginInfo(
            name: "pkcs11",
            version: "1.0.0",
            description: "PKCS#11 tokens and HSMs through any module (dlopen, RFC 7512 URIs)",
            types: ["pkcs11"],
            threadSafe: true),
        hostMajor, host, out, err)
}
