internal import PluginABI
import Foundation

/// The `stepca_host_v1` table handed to every plugin: log lines go to the host's logger.
enum PluginHostServices {
    /// Whether debug lines from plugins are shown (`STEPDEBUG=1`).
    static let debug = ProcessInfo.processInfo.environment["STEPDEBUG"] == "1"

    /// Lives for the whole process; plugins may keep the pointer.
    static let table: UnsafePointer<stepca_host_v1> = {
        let table = UnsafeMutablePointer<stepca_host_v1>.allocate(capacity: 1)
        table.initialize(to: stepca_host_v1(
            struct_size: UInt32(MemoryLayout<stepca_host_v1>.size),
            abi_major: UInt16(STEPCA_ABI_MAJOR),
            abi_minor: UInt16(STEPCA_ABI_MINOR),
            ctx: nil,
            log: { _, level, message, length in
                let text: String
                if let message, length > 0 {
                    text = message.withMemoryRebound(to: UInt8.self, capacity: length) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    }
                } else {
                    text = ""
                }
                switch level {
                case STEPCA_LOG_DEBUG:
                    if PluginHostServices.debug { ConsoleLog.line("plugin: \(text)") }
                case STEPCA_LOG_INFO: ConsoleLog.line("plugin: \(text)")
                case STEPCA_LOG_WARNING: ConsoleLog.warning("plugin: \(text)")
                default: ConsoleLog.error("plugin: \(text)")
                }
            }))
        return UnsafePointer(table)
    }()
}
