/// A `host:port` listen address as Go's `net.Listen` accepts it (`:443`, `127.0.0.1:9000`, `[::1]:443`).
struct ListenAddress: Sendable, Equatable {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    /// The `host:port` text for logs (IPv6 hosts bracketed).
    var display: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
