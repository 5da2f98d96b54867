import PluginKit

/// A table (bucket) or database name, checked against MySQL's rules for quoted identifiers and
/// quoted with backquotes (an embedded backquote doubled), as step-ca quotes its bucket names.
struct MySQLIdentifier: Hashable {
    /// The name as given (case is preserved: MySQL table names are case-sensitive on Linux).
    let text: String
    /// `` `name` `` as UTF-8, ready to splice into SQL text.
    let quoted: [UInt8]

    init(_ text: String) {
        self.text = text
        self.quoted = Array(Self.quote(text).utf8)
    }

    /// A bucket name from the ABI, or `.invalidArgument` saying what is wrong with it.
    init(table bytes: [UInt8]) throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PluginError.invalidArgument("table name is not UTF-8 text")
        }
        if let problem = Self.problem(text, kind: "table name") { throw PluginError.invalidArgument(problem) }
        self.init(text)
    }

    /// Why `name` cannot be a MySQL identifier, or nil when it can.
    static func problem(_ name: String, kind: String) -> String? {
        if name.isEmpty { return "\(kind) is empty" }
        if name.unicodeScalars.contains("\0") { return "\(kind) contains a NUL character" }
        if name.unicodeScalars.count > 64 {
            return "\(kind) \"\(name)\" has \(name.unicodeScalars.count) characters; MySQL allows at most 64"
        }
        if name.unicodeScalars.contains(where: { $0.value > 0xFFFF }) {
            return "\(kind) \"\(name)\" contains a character outside the Basic Multilingual Plane, which MySQL identifiers cannot hold"
        }
        if name.hasSuffix(" ") { return "\(kind) \"\(name)\" ends with a space, which MySQL does not allow" }
        return nil
    }

    /// `` `name` `` with every backquote doubled.
    static func quote(_ name: String) -> String {
        "`" + name.replacingBackquotes() + "`"
    }
}

private extension String {
    /// Works on Unicode scalars: a backquote followed by a combining mark is one `Character`
    /// but still a 0x60 byte for the server.
    func replacingBackquotes() -> String {
        guard unicodeScalars.contains("`") else { return self }
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            result.append(scalar)
            if scalar == "`" { result.append(scalar) }
        }
        return String(result)
    }
}
