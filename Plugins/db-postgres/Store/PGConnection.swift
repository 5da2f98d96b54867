import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// A statement parameter, always sent in binary format.
enum PGParameter {
    /// A `bytea` value: the bytes themselves.
    case bytes([UInt8])
    /// A `text` value: its UTF-8 bytes.
    case text(String)

    var typeOID: Oid {
        switch self {
        case .bytes: return 17  // BYTEAOID
        case .text: return 25  // TEXTOID
        }
    }

    var payload: [UInt8] {
        switch self {
        case .bytes(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        }
    }
}

/// A non-NULL pointer for zero-length values: libpq sends a NULL pointer as SQL NULL, and an
/// empty value must stay an empty `bytea`.
private let emptyValue: UnsafePointer<CChar> = {
    let byte = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    byte.initialize(to: 0)
    return UnsafePointer(byte)
}()

/// One libpq connection (`PGconn`). Not thread-safe: the pool hands it to one caller at a time.
///
/// Every statement carries its data as binary parameters (`PQexecParams` with format 1); SQL text
/// only ever contains quoted identifiers built by ``TableName``.
final class PGConnection {
    private var handle: OpaquePointer?
    private let notices: NoticeLog
    /// Round trips started on this connection (counts every statement).
    private(set) var roundTrips = 0
    /// Set once a statement failed in a way that leaves the session unusable.
    private(set) var isBroken = false
    /// Calls that have used this connection (0 for a connection fresh from connect).
    var uses = 0

    /// Takes ownership of a connected `PGconn` and routes its notices to `notices`.
    init(handle: OpaquePointer, notices: NoticeLog) {
        self.handle = handle
        self.notices = notices
        PQsetNoticeReceiver(handle, noticeReceiver, Unmanaged.passUnretained(notices).toOpaque())
    }

    deinit { close() }

    /// `host:port` of the server, for messages.
    var endpoint: String {
        guard let handle else { return "(closed)" }
        return describeEndpoint(host: PQhost(handle).map { String(cString: $0) } ?? "",
                                port: PQport(handle).map { String(cString: $0) } ?? "")
    }

    /// The database connected to.
    var database: String {
        guard let handle else { return "" }
        return PQdb(handle).map { String(cString: $0) } ?? ""
    }

    /// Ends the session (`PQfinish`). Safe to call twice.
    func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection still looks alive without a round trip: reads whatever the server
    /// sent while the connection sat idle (a shutdown notice, end of file) and checks the status.
    /// A server that ends an idle session sends an error message and then closes the socket;
    /// libpq reads one of them per `PQconsumeInput`, so input is consumed while the socket is
    /// readable (end of file makes `PQconsumeInput` fail).
    var looksAlive: Bool {
        guard let handle, !isBroken else { return false }
        for _ in 0..<8 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard descriptor.fd >= 0 else { return false }
            guard poll(&descriptor, 1, 0) > 0 else { break }
            guard PQconsumeInput(handle) != 0 else { return false }
        }
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Runs a parameterless command through the simple query protocol (transaction control, DDL).
    @discardableResult
    func execute(_ sql: String) throws -> PGResult {
        let handle = try liveHandle()
        roundTrips += 1
        return try check(PQexec(handle, sql))
    }

    /// Runs one statement with binary parameters and binary results.
    @discardableResult
    func query(_ sql: String, _ parameters: [PGParameter] = []) throws -> PGResult {
        let handle = try liveHandle()
        roundTrips += 1
        let types = parameters.map(\.typeOID)
        let payloads = parameters.map(\.payload)
        let lengths = try payloads.map { payload -> Int32 in
            guard let length = Int32(exactly: payload.count) else {
                throw PGFailure(sqlState: "54000", message: "a value of \(payload.count) bytes does not fit in one PostgreSQL message", connectionLost: false)
            }
            return length
        }
        let formats = [Int32](repeating: 1, count: parameters.count)
        let result = withPointers(to: payloads) { values in
            PQexecParams(handle, sql, Int32(parameters.count), types, values, lengths, formats, 1)
        }
        return try check(result)
    }

    /// Rolls back the current transaction, ignoring failures (the session may already be gone,
    /// which rolls back too).
    func rollbackQuietly() {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return }
        if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle, !isBroken, PQstatus(handle) == CONNECTION_OK else {
            isBroken = true
            throw PGFailure(sqlState: nil, message: "the connection is closed", connectionLost: true)
        }
        return handle
    }

    /// Turns a libpq result into a ``PGResult`` or a ``PGFailure``.
    private func check(_ result: OpaquePointer?) throws -> PGResult {
        guard let handle else { throw PGFailure(sqlState: nil, message: "the connection is closed", connectionLost: true) }
        guard let result else {
            let failure = PGFailure(sqlState: nil, message: oneLine(String(cString: PQerrorMessage(handle))),
                                    connectionLost: PQstatus(handle) != CONNECTION_OK)
            if failure.connectionLost { isBroken = true }
            throw failure
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(result)
        default:
            let state = field(result, "C")
            let primary = field(result, "M") ?? oneLine(String(cString: PQresultErrorMessage(result)))
            let message = primary.isEmpty ? oneLine(String(cString: PQerrorMessage(handle))) : primary
            PQclear(result)
            let lost = PQstatus(handle) != CONNECTION_OK || PGFailure.isConnectionState(state)
            if lost { isBroken = true }
            throw PGFailure(sqlState: state, message: message, connectionLost: lost)
        }
    }
}

/// One diagnostic field of an error result (`PG_DIAG_*` letter).
private func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
    guard let text = PQresultErrorField(result, Int32(code.value)) else { return nil }
    let value = oneLine(String(cString: text))
    return value.isEmpty ? nil : value
}

/// Calls `body` with a C array of pointers to each payload (a non-NULL pointer for empty ones).
private func withPointers<R>(to payloads: [[UInt8]], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    pointers.reserveCapacity(payloads.count)
    func bind(_ index: Int) -> R {
        if index == payloads.count { return pointers.withUnsafeBufferPointer { body($0.baseAddress) } }
        return payloads[index].withUnsafeBytes { raw in
            pointers.append(raw.count == 0 ? emptyValue : raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            return bind(index + 1)
        }
    }
    return bind(0)
}

/// libpq's notice callback: forwards the notice to the connection's ``NoticeLog``.
private func noticeReceiver(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    let severity = PQresultErrorField(result, Int32(Unicode.Scalar("V").value)).map { String(cString: $0) } ?? ""
    let message = oneLine(String(cString: PQresultErrorMessage(result)))
    Unmanaged<NoticeLog>.fromOpaque(context).takeUnretainedValue().receive(severity: severity, message: message)
}
