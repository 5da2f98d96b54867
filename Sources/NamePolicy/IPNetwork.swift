/// An IP rule: a CIDR range or a single address, matched as Go's `net.IPNet.Contains` does
/// (IPv4-mapped IPv6 addresses and ranges compare as IPv4).
struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// Network bytes (4 or 16).
    let network: [UInt8]
    /// Mask bytes (4 or 16).
    let mask: [UInt8]

    /// Parses `addr/bits` (Go's `net.ParseCIDR`) or else a single address (a /32 or /128).
    init?(rule text: String) {
        if let slash = text.firstIndex(of: "/") {
            guard let (address, isIPv4) = IPAddress.parse(String(text[..<slash])) else { return nil }
            let bitsText = text[text.index(after: slash)...]
            let length = isIPv4 ? 4 : 16
            guard !bitsText.isEmpty, bitsText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), bitsText.count <= 4,
                  let bits = Int(bitsText), bits <= length * 8 else { return nil }
            let mask = IPNetwork.mask(bits: bits, length: length)
            let source = isIPv4 ? Array(address[12...]) : address
            network = zip(source, mask).map { $0 & $1 }
            self.mask = mask
        } else {
            guard let address = IPAddress(text) else { return nil }
            if let v4 = address.ipv4 {
                network = v4
                mask = IPNetwork.mask(bits: 32, length: 4)
            } else {
                network = address.bytes
                mask = IPNetwork.mask(bits: 128, length: 16)
            }
        }
    }

    private static func mask(bits: Int, length: Int) -> [UInt8] {
        (0..<length).map { index in
            let remaining = bits - index * 8
            if remaining >= 8 { return 0xFF }
            if remaining <= 0 { return 0 }
            return UInt8(truncatingIfNeeded: 0xFF << (8 - remaining))
        }
    }

    /// Go's `IPNet.Contains`.
    func contains(_ address: IPAddress) -> Bool {
        var number: [UInt8]
        if let v4 = IPAddress.to4(network) {
            number = v4
        } else if network.count == 16 {
            number = network
        } else {
            return false
        }
        var bits = mask
        switch bits.count {
        case 4: if number.count != 4 { return false }
        case 16: if number.count == 4 { bits = Array(bits[12...]) }
        default: return false
        }
        let candidate = address.ipv4 ?? address.bytes
        guard candidate.count == number.count else { return false }
        for index in candidate.indices where number[index] & bits[index] != candidate[index] & bits[index] {
            return false
        }
        return true
    }

    /// CIDR notation, for log details.
    var description: String {
        let ones = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        let address = network.count == 4 ? IPAddress(bytes: network) : IPAddress(bytes: network)
        return "\(address.map(\.description) ?? "?")/\(ones)"
    }
}
