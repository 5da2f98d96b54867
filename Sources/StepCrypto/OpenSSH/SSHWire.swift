/// Bounds-checked reading of the SSH wire encoding (RFC 4251 §5).
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset: Int = 0

    init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    var remaining: Int { self.bytes.count - self.offset }

    var isAtEnd: Bool { self.remaining == 0 }

    /// The unread bytes.
    var rest: ArraySlice<UInt8> { self.bytes[self.offset...] }

    mutating func readBytes(_ count: Int, what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= self.remaining else {
            throw StepCryptoError.malformed("OpenSSH key is truncated (reading \(what))")
        }
        defer { self.offset += count }
        return self.bytes[self.offset..<self.offset + count]
    }

    mutating func readUInt32(what: String) throws -> UInt32 {
        try self.readBytes(4, what: what).reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }

    /// A `string`: a 32-bit length then that many bytes.
    mutating func readString(what: String) throws -> ArraySlice<UInt8> {
        let length = try self.readUInt32(what: what)
        return try self.readBytes(Int(length), what: what)
    }

    mutating func readUTF8(what: String) throws -> String {
        String(decoding: try self.readString(what: what), as: UTF8.self)
    }

    /// A non-negative `mpint`, returned as big-endian bytes without leading zeros.
    mutating func readPositiveMPInt(what: String) throws -> [UInt8] {
        let raw = try self.readString(what: what)
        if let first = raw.first, first & 0x80 != 0 {
            throw StepCryptoError.malformed("OpenSSH key has a negative \(what)")
        }
        return trimmedUnsigned(raw)
    }
}

/// Writing the SSH wire encoding.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func writeUInt32(_ value: UInt32) {
        self.bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    mutating func writeString<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        self.writeUInt32(UInt32(value.count))
        self.bytes += value
    }

    mutating func writeString(_ value: String) {
        self.writeString(Array(value.utf8))
    }

    /// A non-negative `mpint`: minimal, with a zero byte if the high bit is set.
    mutating func writePositiveMPInt<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        var trimmed = Array(value.drop(while: { $0 == 0 }))
        if let first = trimmed.first, first & 0x80 != 0 {
            trimmed.insert(0, at: 0)
        }
        self.writeString(trimmed)
    }
}
