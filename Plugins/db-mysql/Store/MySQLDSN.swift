import PluginKit
import StepConfig

/// A data source name in the Go MySQL driver's syntax (github.com/go-sql-driver/mysql), as
/// step-ca reads `db.dataSource`:
///
///     [username[:password]@][protocol[(address)]]/dbname[?param1=value1&...&paramN=valueN]
///
/// Parsing follows the driver exactly where it is well defined: the database name starts after
/// the LAST `/`, the credentials end at the last `@` before it, the username ends at the first
/// `:` (so a password may contain `@`, `:` and `/`), user and password are taken literally,
/// the database name is path-unescaped and parameter values are query-unescaped. Where the
/// driver would fail later (a bad port, an unknown protocol) or could never work from ca.json
/// (a TLS config or server key registered by name in Go code), parsing fails now with a message
/// that names the part at fault and never contains the password.
public struct MySQLDSN: Equatable, Sendable {
    /// Where the server listens.
    public enum Endpoint: Equatable, Sendable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        /// `host:port`, `[v6]:port` or `unix socket <path>`, for messages.
        public var description: String {
            switch self {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): return "unix socket \(path)"
            }
        }
    }

    /// The `tls` parameter.
    public enum TLSMode: String, Equatable, Sendable {
        /// `tls=false` (the default): no TLS.
        case disabled = "false"
        /// `tls=true`: TLS required, server certificate and host name verified.
        case verify = "true"
        /// `tls=skip-verify`: TLS required, server certificate not verified.
        case skipVerify = "skip-verify"
        /// `tls=preferred`: TLS when the server offers it, not verified; plaintext otherwise.
        case preferred = "preferred"
    }

    /// A value for `SET name = value`, from a parameter the driver does not know.
    public enum SessionValue: Equatable, Sendable {
        /// A number, sent as is (`wait_timeout=600`).
        case number(String)
        /// A bare word of letters, digits and `_`, sent as is (`sql_mode=TRADITIONAL`, `ON`).
        case word(String)
        /// Anything else, sent as a quoted string literal (one layer of quotes in the DSN is removed).
        case string(String)
    }

    /// One session system variable set on every connection.
    public struct SessionVariable: Equatable, Sendable {
        public var name: String
        public var value: SessionValue
    }

    /// One `connectionAttributes` entry.
    public struct Attribute: Equatable, Sendable {
        public var key: String
        public var value: String
    }

    public var user = ""
    public var password = ""
    public var endpoint = Endpoint.tcp(host: "127.0.0.1", port: 3306)
    /// The database name from the DSN (may be empty).
    public var database = ""
    public var tls = TLSMode.disabled
    /// The dial timeout in nanoseconds; nil when the DSN has none (the plugin then uses 10 s).
    public var connectTimeout: Int64?
    /// I/O timeouts in nanoseconds; 0 means none.
    public var readTimeout: Int64 = 0
    public var writeTimeout: Int64 = 0
    /// `charset`: tried in order until the server accepts one (empty: utf8mb4).
    public var charsets: [String] = []
    public var collation: String?
    public var allowNativePasswords = true
    public var allowCleartextPasswords = false
    public var allowOldPasswords = false
    public var allowFallbackToPlaintext = false
    public var allowAllFiles = false
    public var checkConnLiveness = true
    public var clientFoundRows = false
    public var columnsWithAlias = false
    public var compress = false
    public var interpolateParams = false
    public var multiStatements = false
    public var parseTime = false
    public var rejectReadOnly = false
    public var tinyInt1IsBool = true
    /// `maxAllowedPacket` in bytes; 0 means the library default.
    public var maxAllowedPacket = 64 << 20
    /// `loc`, validated for syntax only (the plugin stores no times).
    public var location = "UTC"
    public var timeTruncate: Int64 = 0
    public var connectionAttributes: [Attribute] = []
    /// Unknown parameters, in DSN order (a repeated name keeps its last value and position).
    public var sessionVariables: [SessionVariable] = []
    /// Parameter segments without `=`, which the driver silently skips.
    public var skippedSegments: [String] = []

    public init() {}

    /// Parses a DSN, throwing `.invalidArgument("db.dataSource: invalid DSN: ...")`.
    public static func parse(_ dsn: String) throws -> MySQLDSN {
        guard !dsn.isEmpty else {
            throw failure("the data source is empty; expected [user[:password]@][protocol[(address)]]/dbname[?params], e.g. \"user:password@tcp(127.0.0.1:3306)/stepca\"")
        }
        guard !dsn.utf8.contains(0) else { throw failure("it contains a NUL byte", in: dsn) }
        let bytes = Array(dsn.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else {
            throw failure("missing the \"/\" before the database name (expected [user[:password]@][protocol[(address)]]/dbname[?params])", in: dsn)
        }
        var result = MySQLDSN()
        var protocolName = ""
        var address = ""
        if slash > 0 {
            // [username[:password]@][protocol[(address)]]
            var addressStart = 0
            if let at = bytes[..<slash].lastIndex(of: UInt8(ascii: "@")) {
                let colon = bytes[..<at].firstIndex(of: UInt8(ascii: ":")) ?? at
                result.user = text(bytes[..<colon])
                if colon < at { result.password = text(bytes[(colon + 1)..<at]) }
                addressStart = at + 1
            }
            let head = bytes[addressStart..<slash]
            if let open = head.firstIndex(of: UInt8(ascii: "(")) {
                guard bytes[slash - 1] == UInt8(ascii: ")") else {
                    if bytes[(open + 1)..<slash].contains(UInt8(ascii: ")")) {
                        throw failure("a \"/\" follows the address: the last \"/\" must separate the database name, so escape \"/\" in parameter values as %2F", in: dsn)
                    }
                    throw failure("the network address is not terminated (missing \")\" before \"/\")", in: dsn)
                }
                address = text(bytes[(open + 1)..<(slash - 1)])
                protocolName = text(bytes[addressStart..<open])
            } else {
                protocolName = text(head)
            }
        }
        // The address first: a DSN split in the wrong place (a "/" inside the password and no
        // "/dbname") fails here, before any part of it could be quoted in a message.
        result.endpoint = try endpoint(protocol: protocolName, address: address, dsn: dsn)
        // dbname[?param1=value1&...&paramN=valueN]
        let tail = bytes[(slash + 1)...]
        let question = tail.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        guard let name = percentDecode(text(bytes[(slash + 1)..<question]), plusIsSpace: false) else {
            throw failure("the database name has an invalid %-escape (use %XX with two hex digits, e.g. %2F for \"/\")", in: dsn)
        }
        result.database = name
        if question < bytes.endIndex {
            try result.applyParameters(text(bytes[(question + 1)...]))
        }
        if result.interpolateParams, let collation = result.collation, unsafeCollations.contains(collation) {
            throw parameter("collation", "\(collation) cannot be combined with interpolateParams=true (the Go driver refuses it: the encoding can hide a quote)")
        }
        return result
    }

    /// The DSN with its password replaced by `***`, safe for messages and logs.
    ///
    /// The password runs from the first `:` to the last `@` before the database part. When the
    /// DSN has no `@` at all but starts like `user:secret` (no `protocol(address)`), everything
    /// after that first `:` is masked, since it may be a password the `@` was forgotten after.
    public static func masked(_ dsn: String) -> String {
        let bytes = Array(dsn.utf8)
        let end = bytes.lastIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        if let at = bytes[..<end].lastIndex(of: UInt8(ascii: "@")) ?? bytes.lastIndex(of: UInt8(ascii: "@")) {
            guard let colon = bytes[..<at].firstIndex(of: UInt8(ascii: ":")) else { return dsn }
            return text(bytes[...colon]) + "***" + text(bytes[at...])
        }
        let head = bytes[..<end]
        guard !head.contains(UInt8(ascii: "(")), let colon = head.firstIndex(of: UInt8(ascii: ":")) else { return dsn }
        return text(bytes[...colon]) + "***"
    }

    // MARK: Address

    private static func endpoint(protocol name: String, address: String, dsn: String) throws -> Endpoint {
        switch name {
        case "", "tcp":
            return try tcpEndpoint(address.isEmpty ? "127.0.0.1:3306" : address, defaultPort: true, dsn: dsn)
        case "tcp4", "tcp6":
            guard !address.isEmpty else {
                throw failure("protocol \(name) needs an address with a port, e.g. \(name)(db.example.com:3306)", in: dsn)
            }
            return try tcpEndpoint(address, defaultPort: false, dsn: dsn)
        case "unix":
            return .unix(path: address.isEmpty ? "/tmp/mysql.sock" : address)
        default:
            // Quote the name only when it looks like one: text with ":" or "/" may be a password.
            if isName(name) {
                throw failure("protocol \"\(name)\" is not supported: use tcp(host:port) or unix(/path/to/socket) (dialers registered in Go code cannot be named in ca.json)", in: dsn)
            }
            throw failure("the part before the database name is not [user[:password]@][protocol[(address)]], e.g. user:password@tcp(127.0.0.1:3306)/stepca (is the \"/\" before the database name missing, or the \"@\" after the password?)", in: dsn)
        }
    }

    /// `host:port`, `[ipv6]:port`, `host`, `[ipv6]` or a bare IPv6 address (port 3306 when allowed).
    private static func tcpEndpoint(_ address: String, defaultPort: Bool, dsn: String) throws -> Endpoint {
        var host: Substring
        var port: Substring?
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else {
                throw failure("the address \"\(address)\" has \"[\" without \"]\"", in: dsn)
            }
            host = address[address.index(after: address.startIndex)..<close]
            let rest = address[address.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw failure("the address \"\(address)\" has text after \"]\" that is not \":port\"", in: dsn)
                }
                port = rest.dropFirst()
            }
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
            host = address[..<colon]
            port = address[address.index(after: colon)...]
        } else {
            host = Substring(address)  // a host name, or a bare IPv6 address as the driver allows
        }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port else {
            guard defaultPort else { throw failure("the address \"\(address)\" has no port", in: dsn) }
            return .tcp(host: String(host), port: 3306)
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = Int(port), (1...65535).contains(number) else {
            throw failure("the port \"\(port)\" in address \"\(address)\" is not a number from 1 to 65535", in: dsn)
        }
        return .tcp(host: String(host), port: number)
    }

    // MARK: Parameters

    private mutating func applyParameters(_ query: String) throws {
        for segment in query.split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = segment.firstIndex(of: "=") else {
                if !segment.isEmpty { skippedSegments.append(String(segment)) }
                continue
            }
            let key = String(segment[..<equals])
            let raw = String(segment[segment.index(after: equals)...])
            guard let value = MySQLDSN.percentDecode(raw, plusIsSpace: true) else {
                throw MySQLDSN.parameter(key, "the value \"\(raw)\" has an invalid %-escape")
            }
            try apply(key: key, value: value)
        }
    }

    private mutating func apply(key: String, value: String) throws {
        switch key {
        case "allowAllFiles": allowAllFiles = try Self.bool(key, value)
        case "allowCleartextPasswords": allowCleartextPasswords = try Self.bool(key, value)
        case "allowFallbackToPlaintext": allowFallbackToPlaintext = try Self.bool(key, value)
        case "allowNativePasswords": allowNativePasswords = try Self.bool(key, value)
        case "allowOldPasswords": allowOldPasswords = try Self.bool(key, value)
        case "checkConnLiveness": checkConnLiveness = try Self.bool(key, value)
        case "clientFoundRows": clientFoundRows = try Self.bool(key, value)
        case "columnsWithAlias": columnsWithAlias = try Self.bool(key, value)
        case "compress": compress = try Self.bool(key, value)
        case "interpolateParams": interpolateParams = try Self.bool(key, value)
        case "multiStatements": multiStatements = try Self.bool(key, value)
        case "parseTime": parseTime = try Self.bool(key, value)
        case "rejectReadOnly": rejectReadOnly = try Self.bool(key, value)
        case "tinyInt1IsBool": tinyInt1IsBool = try Self.bool(key, value)
        case "charset":
            let names = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for name in names where !Self.isName(name) {
                throw Self.parameter(key, "\"\(name)\" is not a character set name")
            }
            charsets = names
        case "collation":
            guard Self.isName(value) else { throw Self.parameter(key, "\"\(value)\" is not a collation name") }
            collation = value
        case "loc":
            guard value.isEmpty || Self.isLocation(value) else {
                throw Self.parameter(key, "\"\(value)\" is not a time zone name such as UTC, Local or Europe/Paris")
            }
            location = value.isEmpty ? "UTC" : value
        case "timeout": connectTimeout = try Self.duration(key, value)
        case "readTimeout": readTimeout = try Self.duration(key, value)
        case "writeTimeout": writeTimeout = try Self.duration(key, value)
        case "timeTruncate": timeTruncate = try Self.duration(key, value)
        case "maxAllowedPacket":
            guard !value.isEmpty, value.count <= 10, value.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let bytes = Int(value), bytes <= 1 << 30 else {
                throw Self.parameter(key, "\"\(value)\" is not a byte count from 0 to 1073741824")
            }
            maxAllowedPacket = bytes
        case "tls": tls = try Self.tlsMode(value)
        case "serverPubKey":
            throw Self.parameter(key, "names a public key registered in Go code (mysql.RegisterServerPubKey), which ca.json cannot provide")
        case "strict":
            throw Self.parameter(key, "was removed from the Go MySQL driver; this plugin always runs with STRICT_ALL_TABLES")
        case "connectionAttributes":
            connectionAttributes = value.split(separator: ",").compactMap { pair in
                guard let colon = pair.firstIndex(of: ":") else { return nil }
                return Attribute(key: String(pair[..<colon]), value: String(pair[pair.index(after: colon)...]))
            }
        case "autocommit":
            // The driver would send SET autocommit=...; the plugin needs autocommit for its writes.
            switch value.lowercased() {
            case "1", "true", "on": break
            case "0", "false", "off":
                throw Self.parameter(key, "autocommit=\(value) is not supported: every write of this plugin is committed (updates use explicit transactions)")
            default:
                throw Self.parameter(key, "\"\(value)\" is not a boolean (1, true or ON)")
            }
        default:
            try setSessionVariable(key, value)
        }
    }

    /// Unknown parameters become `SET key = value` on every connection, as in the driver.
    private mutating func setSessionVariable(_ key: String, _ value: String) throws {
        guard Self.isIdentifier(key) else {
            throw Self.parameter(key, "is not a known driver parameter, and not a system variable name (letters, digits and _) either")
        }
        guard !value.unicodeScalars.contains("\0") else { throw Self.parameter(key, "the value contains a NUL byte") }
        sessionVariables.removeAll { $0.name == key }
        sessionVariables.append(SessionVariable(name: key, value: Self.sessionValue(value)))
    }

    static func sessionValue(_ value: String) -> SessionValue {
        if value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first {
            return .string(String(value.dropFirst().dropLast()))
        }
        if isNumber(value) { return .number(value) }
        if isIdentifier(value) { return .word(value) }
        return .string(value)
    }

    private static func tlsMode(_ value: String) throws -> TLSMode {
        if let flag = goBool(value) { return flag ? .verify : .disabled }
        switch value.lowercased() {
        case "skip-verify": return .skipVerify
        case "preferred": return .preferred
        default:
            throw parameter("tls", "unknown mode \"\(value)\": use true, skip-verify, preferred or false (a TLS config registered by name in Go code cannot be given in ca.json)")
        }
    }

    /// Multi-byte encodings whose trailing bytes may be `\`, which the Go driver refuses with
    /// `interpolateParams` (its `unsafeCollations`).
    static let unsafeCollations: Set<String> = [
        "big5_chinese_ci", "sjis_japanese_ci", "gbk_chinese_ci", "big5_bin", "gb2312_bin", "gbk_bin", "sjis_bin",
        "cp932_japanese_ci", "cp932_bin", "gb18030_chinese_ci", "gb18030_bin", "gb18030_unicode_520_ci",
    ]

    // MARK: Lexical helpers

    /// Go's `readBool`.
    static func goBool(_ value: String) -> Bool? {
        switch value {
        case "1", "true", "TRUE", "True": return true
        case "0", "false", "FALSE", "False": return false
        default: return nil
        }
    }

    private static func bool(_ key: String, _ value: String) throws -> Bool {
        guard let flag = goBool(value) else {
            throw parameter(key, "\"\(value)\" is not a boolean (true, false, 1 or 0)")
        }
        return flag
    }

    private static func duration(_ key: String, _ value: String) throws -> Int64 {
        guard let nanoseconds = (try? GoDuration(parsing: value))?.nanoseconds else {
            throw parameter(key, "\"\(value)\" is not a Go duration (e.g. 5s, 1m30s, 500ms)")
        }
        guard nanoseconds >= 0 else { throw parameter(key, "\"\(value)\" is negative") }
        return nanoseconds
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func isNumber(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    private static func isLocation(_ text: String) -> Bool {
        text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_+-.".unicodeScalars.contains($0))
            }
        }
    }

    /// `%XX` decoding (and `+` as space for query values); nil for a bad escape or invalid UTF-8.
    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String? {
        var output: [UInt8] = []
        var bytes = text.utf8[...]
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "%"):
                guard bytes.count >= 2, let high = hexValue(bytes.removeFirst()), let low = hexValue(bytes.removeFirst()) else { return nil }
                output.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                output.append(UInt8(ascii: " "))
            default:
                output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Errors

    private static func failure(_ what: String) -> PluginError {
        .invalidArgument("db.dataSource: invalid DSN: \(what)")
    }

    private static func failure(_ what: String, in dsn: String) -> PluginError {
        .invalidArgument("db.dataSource: invalid DSN: \(what), in \"\(masked(dsn))\"")
    }

    private static func parameter(_ key: String, _ what: String) -> PluginError {
        .invalidArgument("db.dataSource: invalid DSN: parameter \(key): \(what)")
    }
}
