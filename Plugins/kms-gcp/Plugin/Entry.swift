import GCPKMS
import PluginKit

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportKeyManagementPlugin(
        GCPKeyManager.self,
        info: PluginInfo(
            name: "cloudkms",
            version: "1.0.0",
            description: "Google Cloud KMS over REST v1 (service-account OAuth2, asymmetricSign)",
            types: ["cloudkms"],
            threadSafe: true,
            asynchronousSigning: true),
        hostMajor, host, out, err)
}
