import AzureKMS
import PluginKit

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportKeyManagementPlugin(
        AzureKeyManager.self,
        info: PluginInfo(
            name: "azurekms",
            version: "1.0.0",
            description: "Azure Key Vault keys over REST 7.4 (client secret or managed identity, sign)",
            types: ["azurekms"],
            threadSafe: true,
            asynchronousSigning: true),
        hostMajor, host, out, err)
}
