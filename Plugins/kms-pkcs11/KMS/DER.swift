/// The few DER encodings the plugin needs: public keys, ECDSA signatures, DigestInfo, and
/// reading the subject out of a certificate.
enum DER {
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xff), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func sequence(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }

    /// A non-negative INTEGER from big-endian magnitude bytes.
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(0x02, bytes)
    }

    static func bitString(_ content: [UInt8]) -> [UInt8] { tlv(0x03, [0] + content) }
    static func null() -> [UInt8] { [0x05, 0x00] }

    /// One parsed TLV: its tag, content and the whole encoding.
    struct Element {
        let tag: UInt8
        let content: ArraySlice<UInt8>
        let encoded: ArraySlice<UInt8>
    }

    /// Reads consecutive TLVs from `bytes` (definite lengths only).
    struct Reader {
        private var bytes: ArraySlice<UInt8>
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        var isAtEnd: Bool { bytes.isEmpty }

        mutating func read() -> Element? {
            let start = bytes.startIndex
            guard bytes.count >= 2 else { return nil }
            let tag = bytes[start]
            var index = start + 1
            let first = bytes[index]
            index += 1
            var count = 0
            if first < 0x80 {
                count = Int(first)
            } else {
                let octets = Int(first & 0x7f)
                guard octets > 0, octets <= 4, bytes.endIndex - index >= octets else { return nil }
                for _ in 0..<octets {
                    count = count << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= count else { return nil }
            let element = Element(tag: tag, content: bytes[index..<(index + count)], encoded: bytes[start..<(index + count)])
            bytes = bytes[(index + count)...]
            return element
        }
    }

    /// The DER issuer, serial number and subject of an X.509 certificate.
    static func certificateNames(_ der: [UInt8]) -> (issuer: [UInt8], serial: [UInt8], subject: [UInt8])? {
        var outer = Reader(der[...])
        guard let certificate = outer.read(), certificate.tag == 0x30 else { return nil }
        var fields = Reader(certificate.content)
        guard let tbs = fields.read(), tbs.tag == 0x30 else { return nil }
        var reader = Reader(tbs.content)
        guard var next = reader.read() else { return nil }
        if next.tag == 0xa0 { guard let after = reader.read() else { return nil }; next = after }
        let serial = next
        guard serial.tag == 0x02, let algorithm = reader.read(), algorithm.tag == 0x30,
              let issuer = reader.read(), issuer.tag == 0x30,
              let validity = reader.read(), validity.tag == 0x30,
              let subject = reader.read(), subject.tag == 0x30 else { return nil }
        return (Array(issuer.encoded), Array(serial.encoded), Array(subject.encoded))
    }

    /// The SubjectPublicKeyInfo of an X.509 certificate.
    static func certificatePublicKey(_ der: [UInt8]) -> [UInt8]? {
        var outer = Reader(der[...])
        guard let certificate = outer.read(), certificate.tag == 0x30 else { return nil }
        var fields = Reader(certificate.content)
        guard let tbs = fields.read(), tbs.tag == 0x30 else { return nil }
        var reader = Reader(tbs.content)
        var elements: [Element] = []
        while let element = reader.read(), elements.count < 8 { elements.append(element) }
        let rest = elements.first?.tag == 0xa0 ? Array(elements.dropFirst()) : elements
        // serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo
        guard rest.count >= 6, rest[5].tag == 0x30 else { return nil }
        return Array(rest[5].encoded)
    }
}
