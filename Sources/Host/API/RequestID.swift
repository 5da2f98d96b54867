/// Request identifiers for `X-Request-Id`: random (version 4) UUIDs in lower case.
///
/// Drawn from the system generator (`getrandom`); Foundation's `UUID()` opens and reads
/// `/dev/urandom` on every call, which showed up on the issuance path.
enum RequestID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        let hex: StaticString = "0123456789abcdef"
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex.utf8Start[Int(byte >> 4)])
            text.append(hex.utf8Start[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
