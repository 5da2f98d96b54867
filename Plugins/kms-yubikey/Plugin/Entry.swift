import PluginKit
import YubiKeyPIV

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportKeyManagementPlugin(
        YubiKeyKMS.self,
        info: PluginInfo(
            name: "yubikey",
            version: "1.0.0",
            description: "YubiKey PIV over PC/SC (libpcsclite loaded at run time)",
            types: ["yubikey"],
            threadSafe: true),
        hostMajor, host, out, err)
}
