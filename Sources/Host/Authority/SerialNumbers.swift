import X509

/// Serial numbers as step-ca writes them: decimal text (database keys, revoke requests).
enum SerialNumbers {
    /// The decimal form of a big-endian unsigned integer.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> String {
        var digits = Array(bytes.drop { $0 == 0 })
        guard !digits.isEmpty else { return "0" }
        var output: [UInt8] = []
        while !digits.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(digits.count)
            for byte in digits {
                let value = remainder * 256 + Int(byte)
                let digit = value / 10
                remainder = value % 10
                if !(quotient.isEmpty && digit == 0) { quotient.append(UInt8(digit)) }
            }
            output.append(UInt8(remainder) + 48)
            digits = quotient
        }
        return String(decoding: output.reversed(), as: UTF8.self)
    }

    static func decimal(_ serial: Certificate.SerialNumber) -> String {
        decimal(serial.bytes)
    }

    /// Parses a serial as Go's `big.Int.SetString(s, 0)` does: `0x`, `0o`, `0b` prefixes, a
    /// leading `0` meaning octal, else decimal. Returns the decimal form, or nil if invalid.
    static func normalise(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("+") { body = body.dropFirst() } else if body.hasPrefix("-") { negative = true; body = body.dropFirst() }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        else if body.count > 1 && body.hasPrefix("0") { radix = 8; body = body.dropFirst() }
        body = Substring(body.filter { $0 != "_" })
        guard !body.isEmpty, !negative else { return nil }
        // Accumulate in base 256, big-endian.
        var value: [UInt8] = [0]
        for character in body {
            guard let digit = character.hexDigitValue, digit < radix else { return nil }
            var carry = digit
            for index in value.indices.reversed() {
                let product = Int(value[index]) * radix + carry
                value[index] = UInt8(product & 0xff)
                carry = product >> 8
            }
            while carry > 0 { value.insert(UInt8(carry & 0xff), at: 0); carry >>= 8 }
        }
        return decimal(value[...])
    }
}
