internal import PluginABI

/// The services the host offers a plugin: today, logging.
///
/// A plugin logs only through this type, never by printing or by bootstrapping swift-log (its
/// copy of swift-log would be separate from the host's).
public struct PluginHost: @unchecked Sendable {
    /// Severity of a log line.
    public enum Level: Int32, Sendable {
        case debug = 0, info = 1, warning = 2, error = 3
    }

    private let table: UnsafePointer<stepca_host_v1>?

    init(_ table: UnsafePointer<stepca_host_v1>?) {
        self.table = table
    }

    /// A host that discards log lines (used when a plugin is driven outside a host).
    public static let detached = PluginHost(nil)

    /// Sends one log line to the host.
    public func log(_ level: Level, _ message: String) {
        guard let table, table.pointee.struct_size >= MemoryLayout<stepca_host_v1>.size,
              let log = table.pointee.log else { return }
        var text = message
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { log(table.pointee.ctx, level.rawValue, $0.baseAddress, $0.count) }
        }
    }
}
