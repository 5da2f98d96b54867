/// RFC 3492 Punycode, the encoding of internationalised domain labels after `xn--`.
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128
    private static let maxScalar = 0x10FFFF

    /// Encodes a label's scalars (without the `xn--` prefix); `nil` on overflow.
    static func encode(_ input: [Unicode.Scalar]) -> String? {
        let values = input.map { Int($0.value) }
        var output = String(String.UnicodeScalarView(input.filter(\.isASCII)))
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < values.count {
            guard let next = values.filter({ $0 >= n }).min() else { return nil }
            guard next - n <= (Int(Int32.max) - delta) / (handled + 1) else { return nil }
            delta += (next - n) * (handled + 1)
            n = next
            for value in values {
                if value < n { delta += 1 }
                guard value == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = threshold(k, bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// Decodes a label (without `xn--`) as Go's `x/net/idna` does; `nil` when it is not Punycode.
    static func decode(_ encoded: String) -> [Unicode.Scalar]? {
        let bytes = Array(encoded.utf8)
        if bytes.isEmpty { return [] }
        let delimiter = bytes.lastIndex(of: UInt8(ascii: "-")).map { $0 + 1 } ?? 0
        if delimiter == 1 { return nil }
        if delimiter == bytes.count { return Array(String(decoding: bytes.dropLast(), as: UTF8.self).unicodeScalars) }
        var output: [Unicode.Scalar] = []
        if delimiter > 0 {
            for byte in bytes[..<(delimiter - 1)] {
                guard byte < 0x80 else { return nil }
                output.append(Unicode.Scalar(byte))
            }
        }
        var position = delimiter
        var i = 0
        var n = initialN
        var bias = initialBias
        let limit = Int(Int32.max)
        while position < bytes.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < bytes.count, let value = digitValue(bytes[position]) else { return nil }
                position += 1
                guard value <= (limit - i) / w else { return nil }
                i += value * w
                let t = threshold(k, bias)
                if value < t { break }
                guard w <= limit / (base - t) else { return nil }
                w *= base - t
                k += base
            }
            if output.count >= 1024 { return nil }
            let count = output.count + 1
            bias = adapt(i - oldI, count, first: oldI == 0)
            n += i / count
            i %= count
            guard n <= maxScalar, let scalar = Unicode.Scalar(UInt32(n)) else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        return output
    }

    private static func threshold(_ k: Int, _ bias: Int) -> Int {
        if k <= bias { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    private static func adapt(_ delta: Int, _ points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Character {
        value < 26 ? Character(Unicode.Scalar(UInt8(97 + value))) : Character(Unicode.Scalar(UInt8(22 + value)))
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte) - 22
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte) - 65
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte) - 97
        default: return nil
        }
    }
}
