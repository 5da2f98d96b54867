import MySQLKV
import PluginKit

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportDatabasePlugin(
        MySQLStore.self,
        info: PluginInfo(
            name: "mysql",
            version: "1.0.0",
            description: "MySQL and MariaDB through libmariadb, with step-ca's schema and Go-driver DSNs",
            types: ["mysql", "mariadb"],
            threadSafe: true),
        hostMajor, host, out, err)
}
