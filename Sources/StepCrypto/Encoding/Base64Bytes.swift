/// Base64 (RFC 4648) decoding over bytes, without String or Foundation round trips: the hot
/// path decodes JOSE segments and PEM bodies on every request.
public enum Base64Bytes {
    /// The standard alphabet with `=` padding (PEM bodies); with `ignoringWhitespace`, spaces,
    /// tabs and line breaks are skipped. Nil for any other byte, misplaced padding or a length
    /// that is not a multiple of four.
    public static func decodeStandard<Bytes: Sequence>(_ input: Bytes, ignoringWhitespace: Bool) -> [UInt8]?
    where Bytes.Element == UInt8 {
        decode(input, table: standardTable, padded: true, ignoringWhitespace: ignoringWhitespace)
    }

    /// The URL-safe alphabet without padding or whitespace (JOSE). Nil for anything else.
    public static func decodeURL<Bytes: Sequence>(_ input: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        decode(input, table: urlTable, padded: false, ignoringWhitespace: false)
    }

    private static let invalid: UInt8 = 0xFF
    private static let whitespace: UInt8 = 0xFE
    private static let padding: UInt8 = 0xFD

    private static func table(last two: String) -> [UInt8] {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8) + Array(two.utf8)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        for byte in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")] { table[Int(byte)] = whitespace }
        table[Int(UInt8(ascii: "="))] = padding
        return table
    }

    private static let standardTable = table(last: "+/")
    private static let urlTable = table(last: "-_")

    /// Runs the byte loop over contiguous memory: a generic loop called from another module is
    /// not specialised and would pay a witness call per byte.
    private static func decode<Bytes: Sequence>(_ input: Bytes, table: [UInt8], padded: Bool, ignoringWhitespace: Bool) -> [UInt8]?
    where Bytes.Element == UInt8 {
        if let result = input.withContiguousStorageIfAvailable({
            decode(buffer: $0, table: table, padded: padded, ignoringWhitespace: ignoringWhitespace)
        }) {
            return result
        }
        return Array(input).withUnsafeBufferPointer {
            decode(buffer: $0, table: table, padded: padded, ignoringWhitespace: ignoringWhitespace)
        }
    }

    private static func decode(buffer input: UnsafeBufferPointer<UInt8>, table: [UInt8], padded: Bool,
                               ignoringWhitespace: Bool) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4 + 3)
        var accumulator: UInt32 = 0
        var pending = 0
        var paddingSeen = 0
        for byte in input {
            let value = table[Int(byte)]
            if value < 64 {
                guard paddingSeen == 0 else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                pending += 1
                if pending == 4 {
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    output.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator = 0
                    pending = 0
                }
            } else if value == whitespace, ignoringWhitespace {
                continue
            } else if value == padding, padded {
                paddingSeen += 1
                guard paddingSeen <= 2 else { return nil }
            } else {
                return nil
            }
        }
        if padded {
            // pending sextets plus padding must complete a quantum: 2 + "==" or 3 + "=".
            guard (pending == 0 && paddingSeen == 0) || pending + paddingSeen == 4 && pending >= 2 else { return nil }
        } else {
            guard pending != 1 else { return nil }
        }
        switch pending {
        case 2:
            // Trailing bits are ignored here, as Foundation does; callers that need the
            // canonical spelling (JWS) check it themselves.
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            break
        }
        return output
    }
}
