import PluginKit
import PostgresKV

/// The plugin's single exported symbol.
@_cdecl("stepca_plugin_entry")
public func stepcaPluginEntry(_ hostMajor: UInt32, _ host: OpaquePointer?, _ out: OpaquePointer?,
                              _ err: OpaquePointer?) -> Int32 {
    exportDatabasePlugin(
        PostgresStore.self,
        info: PluginInfo(
            name: "postgres",
            version: "1.0.0",
            description: "PostgreSQL through libpq, with step-ca's schema (connection pool, server-side cursors)",
            types: ["postgresql", "postgres"],
            threadSafe: true),
        hostMajor, host, out, err)
}
