/// BER-TLV as PIV uses it: one- or two-byte tags, lengths up to 0xFFFF.
enum TLV {
    /// Encodes one tag-length-value.
    static func encode(_ tag: UInt16, _ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = tag > 0xFF ? [UInt8(tag >> 8), UInt8(tag & 0xFF)] : [UInt8(tag)]
        out += length(value.count)
        return out + value
    }

    static func length(_ count: Int) -> [UInt8] {
        switch count {
        case ..<0x80: return [UInt8(count)]
        case ..<0x100: return [0x81, UInt8(count)]
        default: return [0x82, UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        }
    }

    /// Parses a flat sequence of TLVs; nil when the encoding is malformed.
    static func parse(_ bytes: [UInt8]) -> [(tag: UInt16, value: [UInt8])]? {
        var items: [(tag: UInt16, value: [UInt8])] = []
        var index = 0
        while index < bytes.count {
            var tag = UInt16(bytes[index])
            index += 1
            if tag & 0x1F == 0x1F {
                guard index < bytes.count else { return nil }
                tag = tag << 8 | UInt16(bytes[index])
                index += 1
            }
            guard index < bytes.count else { return nil }
            var count = Int(bytes[index])
            index += 1
            if count == 0x81 || count == 0x82 {
                let width = count == 0x81 ? 1 : 2
                guard index + width <= bytes.count else { return nil }
                count = bytes[index..<(index + width)].reduce(0) { $0 << 8 | Int($1) }
                index += width
            } else if count > 0x82 {
                return nil
            }
            guard index + count <= bytes.count else { return nil }
            items.append((tag, Array(bytes[index..<(index + count)])))
            index += count
        }
        return items
    }

    /// The value of the first item with `tag`, if the encoding is well formed.
    static func find(_ tag: UInt16, in bytes: [UInt8]) -> [UInt8]? {
        parse(bytes)?.first { $0.tag == tag }?.value
    }
}
