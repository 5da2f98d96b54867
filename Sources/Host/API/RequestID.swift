import StepCrypto

/// Request identifiers for `X-Request-Id`: random (version 4) UUIDs in lower case.
///
/// Drawn from the system generator (`getrandom`); Foundation's `UUID()` opens and reads
/// `/dev/urandom` on every call, which showed up on the issuance path.
enum RequestID {
    static func make() -> String {
        var bytes = randomBytes(16)
        bytes[6] = (bytes[6] & 0x0f) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, digit) in hexString(bytes).utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
