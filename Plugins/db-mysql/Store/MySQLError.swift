import PluginKit

/// An error reported by the server or by libmariadb: its number and its text. The store turns it
/// into a ``PluginError`` with ``pluginError(_:)``, adding what was being done.
struct MySQLError: Error, CustomStringConvertible {
    let code: UInt32
    let message: String

    var description: String { code == 0 ? message : "\(message) (error \(code))" }

    // Server errors (mysqld_error.h) and client errors (errmsg.h) the plugin acts on.
    static let accessDeniedToDatabase: UInt32 = 1044
    static let accessDenied: UInt32 = 1045
    static let badTable: UInt32 = 1051
    static let serverShutdown: UInt32 = 1053
    static let duplicateEntry: UInt32 = 1062
    static let tableExists: UInt32 = 1050
    static let tableDoesNotExist: UInt32 = 1146
    static let packetTooLarge: UInt32 = 1153
    static let lockWaitTimeout: UInt32 = 1205
    static let deadlock: UInt32 = 1213
    static let readOnlyServer: UInt32 = 1290
    static let dataTooLong: UInt32 = 1406
    static let readOnlyTransaction: UInt32 = 1792
    static let connectionKilled: UInt32 = 1927
    static let clientInteractionTimeout: UInt32 = 4031
    static let clientPacketTooLarge: UInt32 = 2020

    /// The connection is unusable: the server went away, the link broke, or the protocol state
    /// is unknown (every client-side error 2000–2999 except a packet the client refused to send).
    var connectionLost: Bool {
        switch code {
        case Self.serverShutdown, Self.connectionKilled, Self.clientInteractionTimeout, 1154...1161:
            return true
        case Self.clientPacketTooLarge:
            return false
        case 2000...2999:
            return true
        default:
            return false
        }
    }

    /// InnoDB rolled the statement or transaction back because of lock contention; the whole
    /// transaction may be run again.
    var transient: Bool { code == Self.deadlock || code == Self.lockWaitTimeout }

    /// A failure to log in or a missing privilege.
    var denied: Bool { [Self.accessDenied, Self.accessDeniedToDatabase, 1142, 1143, 1227, 1698].contains(code) }

    /// The server refuses writes (`--read-only`, or a read-only transaction on a replica).
    var readOnly: Bool { code == Self.readOnlyServer || code == Self.readOnlyTransaction }
}

extension MySQLError {
    /// Maps the error to an ABI status. `table` names the bucket the statement was about.
    func pluginError(table: MySQLIdentifier?) -> PluginError {
        if connectionLost { return .unavailable("mysql: connection lost: \(description)") }
        switch code {
        case Self.tableDoesNotExist, Self.badTable:
            if let table { return .notFound("table \"\(table.text)\" does not exist") }
            return .notFound("mysql: \(description)")
        case Self.deadlock, Self.lockWaitTimeout:
            return .unavailable("mysql: \(description); the operation was rolled back, it may be retried")
        case Self.dataTooLong, Self.packetTooLarge:
            return .invalidArgument("mysql: \(description)")
        case _ where denied:
            return PluginError(.auth, "mysql: \(description)")
        case _ where readOnly:
            return .unavailable("mysql: the server is read-only: \(description)")
        case 1040, 1203:  // too many connections
            return .unavailable("mysql: \(description)")
        default:
            if let table { return .internal("mysql: on table \"\(table.text)\": \(description)") }
            return .internal("mysql: \(description)")
        }
    }
}
