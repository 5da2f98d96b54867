import PluginKit

/// A failed libpq call: the server's SQLSTATE and message, or a client-side failure.
struct PGFailure: Error, CustomStringConvertible {
    /// The five-character SQLSTATE, nil when the failure happened on the client side
    /// (no server error arrived, e.g. the socket closed).
    let sqlState: String?
    /// The primary message, on one line.
    let message: String
    /// Whether the connection cannot be used any more: libpq reports it bad, the SQLSTATE is in
    /// class 08 (connection exception) or the server is shutting the session down (57P01–57P03).
    let connectionLost: Bool

    var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// SQLSTATEs this plugin reacts to.
    enum State {
        static let undefinedTable = "42P01"
        static let invalidSchemaName = "3F000"
        static let invalidCatalogName = "3D000"
        static let duplicateDatabase = "42P04"
        static let duplicateTable = "42P07"
        static let duplicateObject = "42710"
        static let uniqueViolation = "23505"
        static let objectInUse = "55006"
        static let serializationFailure = "40001"
        static let deadlockDetected = "40P01"
        static let insufficientPrivilege = "42501"
    }

    /// Whether `state` marks a session the server has ended or is ending.
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    /// Whether the whole transaction may simply be run again: it was rolled back because of a
    /// concurrent transaction (serialization failure or deadlock).
    var isTransientConflict: Bool {
        sqlState == State.serializationFailure || sqlState == State.deadlockDetected
    }

    /// The error reported to the host. `table` names the bucket the statement touched, so a
    /// missing table reads `table "x" does not exist`.
    func pluginError(table: TableName? = nil) -> PluginError {
        if connectionLost {
            return .unavailable("postgresql: connection lost: \(message)")
        }
        guard let state = sqlState else { return .internal("postgresql: \(message)") }
        switch state {
        case State.undefinedTable, State.invalidSchemaName:
            if let table { return .notFound("table \"\(table.text)\" does not exist") }
            return .notFound(message)
        case State.insufficientPrivilege:
            return PluginError(.auth, "postgresql: permission denied: \(message)")
        case State.serializationFailure, State.deadlockDetected:
            return .unavailable("postgresql: \(message) (a concurrent transaction won; the call may be retried) (SQLSTATE \(state))")
        case "22001", "22023", "23502", "23514", "54000":
            return .invalidArgument("postgresql: \(message) (SQLSTATE \(state))")
        default:
            break
        }
        switch state.prefix(2) {
        case "28":
            return PluginError(.auth, "postgresql: \(message) (SQLSTATE \(state))")
        case "53", "55", "57", "58":
            // Insufficient resources, object in use or locked, operator intervention, system error.
            return .unavailable("postgresql: \(message) (SQLSTATE \(state))")
        default:
            return .internal("postgresql: \(message) (SQLSTATE \(state))")
        }
    }
}

/// Collapses libpq's multi-line messages (`\n\t` continuations, double spaces) into one line.
func oneLine(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
}
