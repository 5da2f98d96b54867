/// A URI as step-ca sees it after Go's `url.Parse`: its scheme and its host (with any port).
struct URIName: Equatable {
    /// The text step-ca prints (`URL.String()`; the scheme lower-cased).
    let text: String
    /// The lower-cased scheme.
    let scheme: String
    /// The authority's host with port, percent-decoded; empty when there is no authority.
    let host: String

    /// The scheme of `text` when it starts with one (`letter *(letter / digit / + - .) ":"`).
    static func scheme(of text: String) -> Substring? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let candidate = text[..<colon]
        guard let first = candidate.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return nil }
        let valid = candidate.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0))
        }
        return valid ? candidate : nil
    }

    /// Parses a URI with a scheme; `nil` when Go's `url.Parse` would fail or find no scheme.
    init?(_ text: String) {
        guard !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }), let scheme = URIName.scheme(of: text) else { return nil }
        self.scheme = scheme.lowercased()
        self.text = self.scheme + text[scheme.endIndex...]
        var rest = text[text.index(after: scheme.endIndex)...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        guard rest.hasPrefix("//") else {
            host = ""
            return
        }
        var authority = rest.dropFirst(2)
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let host = URIName.parseHost(String(authority)) else { return nil }
        self.host = host
    }

    /// Go's `parseHost`: brackets for IPv6, an all-digit port, valid escapes and host characters.
    private static func parseHost(_ authority: String) -> String? {
        var hostPart = Substring(authority)
        var port: Substring = ""
        if authority.hasPrefix("[") {
            guard let close = authority.lastIndex(of: "]") else { return nil }
            port = authority[authority.index(after: close)...]
            hostPart = authority[...close]
        } else if let colon = authority.lastIndex(of: ":") {
            port = authority[colon...]
            hostPart = authority[..<colon]
        }
        if !port.isEmpty {
            guard port.first == ":", port.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        guard let decoded = unescapeHost(hostPart) else { return nil }
        return decoded + port
    }

    private static func unescapeHost(_ host: Substring) -> String? {
        let bytes = Array(host.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else { return nil }
                output.append(UInt8(high << 4 | low))
                index += 3
                continue
            }
            if c < 0x80 && !isHostCharacter(c) { return nil }
            output.append(c)
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isHostCharacter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("-_.~!$&'()*+,;=:[]<>\"".utf8).contains(c)
        }
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Go's `net.SplitHostPort`, reduced to what rule and URI checks need.
enum HostPortSplit {
    /// The host part, or `nil` when `text` is not `host:port`.
    static func host(of text: String) -> Substring? {
        let chars = Array(text)
        guard let colon = chars.lastIndex(of: ":") else { return nil }
        var hostStart = 0
        var hostEnd = colon
        var afterHost = 0
        if chars.first == "[" {
            guard let close = chars.firstIndex(of: "]") else { return nil }
            guard close + 1 == colon else { return nil }
            hostStart = 1
            hostEnd = close
            afterHost = close + 1
        } else if chars[..<colon].contains(":") {
            return nil
        }
        if chars[hostStart...].contains("[") { return nil }
        if chars[afterHost...].contains("]") { return nil }
        let start = text.index(text.startIndex, offsetBy: hostStart)
        let end = text.index(text.startIndex, offsetBy: hostEnd)
        return text[start..<end]
    }
}

extension URIName {
    /// A URI SAN that Go could not have parsed: kept as text, with no host (so any URI rule
    /// reports that it cannot be matched).
    init(unparsed text: String) {
        self.text = text
        self.scheme = ""
        self.host = ""
    }
}
