import PluginKit
import AWSKMS

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportKeyManagementPlugin(
        AWSKeyManager.self,
        info: PluginInfo(
            name: "awskms",
            version: "1.0.0",
            description: "AWS KMS over its JSON API with SigV4 (GetPublicKey, Sign, CreateKey)",
            types: ["awskms"],
            threadSafe: true,
            asynchronousSigning: true),
        hostMajor, host, out, err)
}
