/// An IPv4 or IPv6 address with Go's `net.IP` rules: parsing as `net.ParseIP` (no leading
/// zeros in IPv4 fields, no zones), printing as `IP.String` (IPv4 and IPv4-mapped addresses
/// dotted, IPv6 with the longest run of two or more zero groups compressed).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The 16-byte form; IPv4 addresses are stored IPv4-mapped (`::ffff:a.b.c.d`).
    public let bytes: [UInt8]

    /// Parses textual IPv4 or IPv6; `nil` when `text` is not an address.
    public init?(_ text: String) {
        guard let bytes = IPAddress.parse(text)?.bytes else { return nil }
        self.bytes = bytes
    }

    /// Wraps 4 or 16 address bytes (as carried in an X.509 iPAddress SAN).
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = IPAddress.mappedPrefix + bytes
        case 16: self.bytes = bytes
        default: return nil
        }
    }

    private init(mapped: [UInt8]) { bytes = mapped }

    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    /// The four IPv4 bytes when this is an IPv4 or IPv4-mapped address (Go's `To4`).
    public var ipv4: [UInt8]? { IPAddress.to4(bytes) }

    static func to4(_ bytes: [UInt8]) -> [UInt8]? {
        if bytes.count == 4 { return bytes }
        guard bytes.count == 16, Array(bytes[0..<12]) == mappedPrefix else { return nil }
        return Array(bytes[12...])
    }

    /// Go's `IP.String()`.
    public var description: String {
        if let v4 = ipv4 { return v4.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = max(end, index + 1)
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var group = 0
        while group < 8 {
            if group == bestStart {
                text += "::"
                group += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[group], radix: 16)
            group += 1
        }
        return text
    }

    /// Parses an address; `isIPv4` says whether it was written in IPv4 form (netip's `Is4`).
    static func parse(_ text: String) -> (bytes: [UInt8], isIPv4: Bool)? {
        if text.contains(":") {
            guard let bytes = parseIPv6(Array(text.utf8)) else { return nil }
            return (bytes, false)
        }
        guard let v4 = parseIPv4(Array(text.utf8)[...]) else { return nil }
        return (mappedPrefix + v4, true)
    }

    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        var value = -1
        var digits = 0
        var leadingZero = false
        for byte in text {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if digits == 1 && leadingZero { return nil }
                if digits == 0 { leadingZero = byte == UInt8(ascii: "0"); value = 0 }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                if value > 255 { return nil }
            } else if byte == UInt8(ascii: ".") {
                guard digits > 0, result.count < 3 else { return nil }
                result.append(UInt8(value))
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, result.count == 3 else { return nil }
        result.append(UInt8(value))
        return result
    }

    private static func parseIPv6(_ text: [UInt8]) -> [UInt8]? {
        if text.contains(UInt8(ascii: "%")) { return nil }
        var result: [UInt8] = []
        var ellipsis = -1
        var position = 0
        if text.starts(with: Array("::".utf8)) {
            ellipsis = 0
            position = 2
            if position == text.count { return [UInt8](repeating: 0, count: 16) }
        }
        while position < text.count {
            var end = position
            var value = 0
            while end < text.count, let digit = hexValue(text[end]) {
                value = value * 16 + digit
                end += 1
                if end - position > 4 { return nil }
            }
            if end == position { return nil }
            if end < text.count && text[end] == UInt8(ascii: ".") {
                guard ellipsis >= 0 || result.count == 12, result.count + 4 <= 16,
                      let v4 = parseIPv4(text[position...]) else { return nil }
                result += v4
                position = text.count
                break
            }
            result.append(UInt8(value >> 8))
            result.append(UInt8(value & 0xFF))
            position = end
            if position == text.count { break }
            guard text[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            if position < text.count && text[position] == UInt8(ascii: ":") {
                if ellipsis >= 0 { return nil }
                ellipsis = result.count
                position += 1
                if position == text.count { break }
            } else if position == text.count {
                return nil
            }
            if result.count >= 16 { return nil }
        }
        if result.count < 16 {
            guard ellipsis >= 0 else { return nil }
            let zeros = [UInt8](repeating: 0, count: 16 - result.count)
            result.insert(contentsOf: zeros, at: ellipsis)
        } else if ellipsis >= 0 {
            return nil
        }
        return result.count == 16 ? result : nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
