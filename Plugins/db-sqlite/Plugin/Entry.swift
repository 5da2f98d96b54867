import PluginKit
import SQLiteKV

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportDatabasePlugin(
        SQLiteStore.self,
        info: PluginInfo(
            name: "sqlite",
            version: "1.0.0",
            description: "Embedded SQLite database (WAL, durable group commit)",
            types: ["sqlite", "sqlite3"],
            threadSafe: true),
        hostMajor, host, out, err)
}
