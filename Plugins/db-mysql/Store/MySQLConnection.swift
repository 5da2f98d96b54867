import CMariaDB
import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// One libmariadb connection (`MYSQL *`). Not thread-safe: the pool hands it to one caller at a
/// time. A connection that hits a connection-level error marks itself ``broken`` and is then
/// closed by the pool instead of being reused.
final class MySQLConnection {
    private var handle: UnsafeMutablePointer<MYSQL>?
    let settings: ConnectionSettings
    /// The connection must not be reused (lost, or left in an unknown protocol state).
    private(set) var broken = false
    /// Whether it broke because the link to the server was lost (the pool then checks its peers).
    private(set) var lost = false
    /// When the connection was last handed back to the pool (CLOCK_MONOTONIC nanoseconds).
    var lastUsed: UInt64 = MySQLConnection.now()
    /// The pool's loss counter when the connection was last known to be healthy.
    var epoch = 0

    private init(handle: UnsafeMutablePointer<MYSQL>, settings: ConnectionSettings) {
        self.handle = handle
        self.settings = settings
    }

    deinit { close() }

    /// Connects and prepares the session. With `createDatabase`, connects without a database,
    /// runs ``CREATE DATABASE IF NOT EXISTS `name` `` and then uses it, as step-ca does; else
    /// connects straight to the database.
    static func open(_ settings: ConnectionSettings, createDatabase: Bool) throws -> MySQLConnection {
        try MySQLLibrary.prepareThread()
        guard let handle = mysql_init(nil) else { throw MySQLError(code: 2008, message: "mysql_init: out of memory") }
        let connection = MySQLConnection(handle: handle, settings: settings)
        do {
            try connection.applyOptions()
            try connection.connect(database: createDatabase ? nil : settings.database.text)
            try connection.prepareSession()
            if createDatabase {
                try connection.execute("CREATE DATABASE IF NOT EXISTS \(settings.database)")
                guard mysql_select_db(handle, settings.database.text) == 0 else { throw connection.lastError() }
            }
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    // MARK: Set-up

    private func applyOptions() throws {
        let dsn = settings.dsn
        var connectTimeout = settings.connectTimeoutSeconds
        if connectTimeout > 0 { try option(MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout) }
        var readTimeout = settings.readTimeoutSeconds
        if readTimeout > 0 { try option(MYSQL_OPT_READ_TIMEOUT, &readTimeout) }
        var writeTimeout = settings.writeTimeoutSeconds
        if writeTimeout > 0 { try option(MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout) }

        // TCP really means TCP: libmariadb would use a unix socket for host "localhost".
        var protocolType = UInt32(dsn.endpoint.isUnix ? MYSQL_PROTOCOL_SOCKET.rawValue : MYSQL_PROTOCOL_TCP.rawValue)
        try option(MYSQL_OPT_PROTOCOL, &protocolType)
        // Never reconnect behind the plugin's back: a resent write could apply twice.
        var off: CChar = 0
        try option(MYSQL_OPT_RECONNECT, &off)
        try option(MYSQL_OPT_LOCAL_INFILE, &off)

        var request: CChar = settings.tls.requestTLS ? 1 : 0
        try option(MYSQL_OPT_SSL_ENFORCE, &request)
        var verify: CChar = settings.tls.verifyServerCertificate ? 1 : 0
        try option(MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)

        try settings.authenticationPlugins.joined(separator: ",").withCString { try option(MARIADB_OPT_RESTRICTED_AUTH, $0) }
        if dsn.compress { try option(MYSQL_OPT_COMPRESS, nil) }
        if dsn.maxAllowedPacket > 0 {
            var packet = Int(dsn.maxAllowedPacket)
            try option(MYSQL_OPT_MAX_ALLOWED_PACKET, &packet)
        }
        try "utf8mb4".withCString { try option(MYSQL_SET_CHARSET_NAME, $0) }
        for attribute in dsn.connectionAttributes {
            _ = mysql_options4(handle, MYSQL_OPT_CONNECT_ATTR_ADD, attribute.key, attribute.value)
        }
    }

    private func option(_ option: mysql_option, _ value: UnsafeRawPointer?) throws {
        guard mysql_options(handle, option, value) == 0 else {
            throw MySQLError(code: 0, message: "libmariadb \(MySQLLibrary.clientVersion) refused connection option \(option.rawValue)")
        }
    }

    private func connect(database: String?) throws {
        let dsn = settings.dsn
        let flags = UInt(CLIENT_FOUND_ROWS)  // UPDATE reports matched rows: compare-and-swap relies on it
        let connected: UnsafeMutablePointer<MYSQL>?
        switch dsn.endpoint {
        case .tcp(let host, let port):
            connected = mysql_real_connect(handle, host, dsn.user, dsn.password, database, UInt32(port), nil, flags)
        case .unix(let path):
            connected = mysql_real_connect(handle, "localhost", dsn.user, dsn.password, database, 0, path, flags)
        }
        guard connected != nil else { throw lastError() }
        if settings.tls.requireTLS, mysql_get_ssl_cipher(handle) == nil {
            throw MySQLError(code: 2026, message: "tls=\(dsn.tls.rawValue) requires TLS, but the server does not offer it")
        }
    }

    /// Character set and collation, the DSN's session variables, then the plugin's own settings:
    /// strict mode (never truncate a value silently) and autocommit.
    private func prepareSession() throws {
        let dsn = settings.dsn
        // As the Go driver: each charset in turn (with the collation, if any) until one is
        // accepted; a collation alone names its own character set.
        var charsets = dsn.charsets
        if charsets.isEmpty, let collation = dsn.collation {
            charsets = [String(collation.prefix { $0 != "_" })]
        }
        if !charsets.isEmpty {
            var refusal: MySQLError?
            for charset in charsets {
                do {
                    if let collation = dsn.collation {
                        try execute("SET NAMES \(word: charset) COLLATE \(word: collation)")
                    } else {
                        try execute("SET NAMES \(word: charset)")
                    }
                    refusal = nil
                    break
                } catch let error as MySQLError where !error.connectionLost {
                    refusal = error
                }
            }
            if let refusal {
                throw PluginError.invalidArgument("db.dataSource: parameter charset/collation: the server refused every choice: \(refusal)")
            }
        }
        for variable in dsn.sessionVariables {
            do {
                switch variable.value {
                case .number(let text), .word(let text): try execute("SET \(word: variable.name) = \(word: text)")
                case .string(let text): try execute("SET \(word: variable.name) = \(text: text)")
                }
            } catch let error as MySQLError where !error.connectionLost {
                throw PluginError.invalidArgument("db.dataSource: parameter \(variable.name): the server refused SET \(variable.name): \(error)")
            }
        }
        try execute("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')")
        try execute("SET SESSION autocommit = 1")
    }

    // MARK: Statements

    /// Runs a statement without a result set and returns the rows it matched (CLIENT_FOUND_ROWS).
    @discardableResult
    func execute(_ sql: SQL) throws -> UInt64 {
        try send(sql)
        if let result = mysql_store_result(handle) { mysql_free_result(result) }
        return mysql_affected_rows(handle)
    }

    /// Runs a query and returns its first row's columns (nil for SQL NULL), or nil without rows.
    func firstRow(_ sql: SQL) throws -> [[UInt8]?]? {
        try send(sql)
        guard let result = mysql_store_result(handle) else { throw lastError() }
        defer { mysql_free_result(result) }
        guard let row = mysql_fetch_row(result), let lengths = mysql_fetch_lengths(result) else {
            if mysql_errno(handle) != 0 { throw lastError() }
            return nil
        }
        return (0..<Int(mysql_num_fields(result))).map { Self.column(row, lengths, $0) }
    }

    /// Streams a two-column result row by row with `mysql_use_result` (constant memory). Returns
    /// when the rows end or `visit` returns false; then a few remaining rows are read off, and if
    /// more remain the connection is shut down instead (it is then ``broken``).
    func stream(_ sql: SQL, delivered: inout Bool, _ visit: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws {
        try send(sql)
        guard let result = mysql_use_result(handle) else { throw lastError() }
        var stopped = false
        while let row = mysql_fetch_row(result), let lengths = mysql_fetch_lengths(result) {
            delivered = true
            if !visit(Self.column(row, lengths, 0) ?? [], Self.column(row, lengths, 1) ?? []) {
                stopped = true
                break
            }
        }
        if stopped {
            abandon(result)
            return
        }
        let failure = mysql_errno(handle) != 0 ? lastError() : nil
        mysql_free_result(result)
        if let failure { throw failure }
    }

    /// Ends an unbuffered result early: drains up to 256 rows or 1 MiB; past that, resetting the
    /// connection is cheaper than reading the rest of a long listing.
    private func abandon(_ result: UnsafeMutablePointer<MYSQL_RES>) {
        var rows = 0, bytes = 0
        while rows < 256, bytes < 1 << 20 {
            guard mysql_fetch_row(result) != nil, let lengths = mysql_fetch_lengths(result) else {
                let failed = mysql_errno(handle) != 0
                mysql_free_result(result)
                if failed { markBroken(lost: true) }
                return
            }
            rows += 1
            bytes += Int(lengths[0]) + Int(lengths[1])
        }
        // Reads now end at once, and closing resets the connection: the server's write then
        // fails instead of blocking on a full window (which holds the table's metadata lock
        // until net_write_timeout).
        let socket = mysql_get_socket(handle)
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.shutdown(socket, Int32(SHUT_RD))
        markBroken(lost: false)
        mysql_free_result(result)  // its drain fails at once; libmariadb closes the socket
    }

    private func send(_ sql: SQL) throws {
        guard let handle else { throw MySQLError(code: 2006, message: "the connection is closed") }
        let status = sql.bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mysql_real_query(handle, $0.baseAddress, UInt($0.count)) }
        }
        if status != 0 { throw lastError() }
    }

    private static func column(_ row: MYSQL_ROW, _ lengths: UnsafeMutablePointer<UInt>, _ index: Int) -> [UInt8]? {
        guard let field = row[index] else { return nil }
        return Array(UnsafeRawBufferPointer(start: field, count: Int(lengths[index])))
    }

    /// The connection's last error; a connection-level error also marks it broken.
    func lastError() -> MySQLError {
        guard let handle else { return MySQLError(code: 2006, message: "the connection is closed") }
        let error = MySQLError(code: mysql_errno(handle), message: String(cString: mysql_error(handle)))
        if error.connectionLost { markBroken(lost: true) }
        // rejectReadOnly, as in the Go driver: after a failover the old primary turned replica
        // must not keep serving this pool.
        if error.readOnly && settings.dsn.rejectReadOnly { markBroken(lost: false) }
        return error
    }

    func markBroken(lost: Bool) {
        broken = true
        if lost { self.lost = true }
    }

    // MARK: Health

    /// Whether the server has closed or written to this idle connection (an idle connection
    /// receives nothing unless the server shut it down or timed it out). No round trip.
    var peerClosed: Bool {
        guard let handle else { return true }
        var descriptor = pollfd(fd: mysql_get_socket(handle), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return true }
        return descriptor.revents != 0
    }

    /// A round trip; false (and broken) when the connection no longer works.
    func ping() -> Bool {
        guard let handle, !broken else { return false }
        if mysql_ping(handle) == 0 { return true }
        markBroken(lost: true)
        return false
    }

    /// The server's version string, e.g. "10.11.6-MariaDB".
    var serverVersion: String {
        guard let handle, let info = mysql_get_server_info(handle) else { return "unknown" }
        return String(cString: info)
    }

    /// The negotiated TLS cipher, or nil for a plaintext connection.
    var cipher: String? {
        guard let handle, let cipher = mysql_get_ssl_cipher(handle) else { return nil }
        return String(cString: cipher)
    }

    func close() {
        if let handle { mysql_close(handle) }
        handle = nil
        broken = true
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

extension MySQLDSN.Endpoint {
    var isUnix: Bool {
        if case .unix = self { return true }
        return false
    }
}
