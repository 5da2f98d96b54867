import CPKCS11

/// A PKCS#11 attribute template built from Swift values, laid out in memory that stays valid
/// for the duration of one call.
struct AttributeTemplate {
    private(set) var items: [(type: CK_ATTRIBUTE_TYPE, value: [UInt8])] = []

    init() {}

    /// Adds an attribute with a byte-string value.
    mutating func add(_ type: CK_ATTRIBUTE_TYPE, bytes: [UInt8]) {
        items.append((type, bytes))
    }

    /// Adds a `CK_ULONG` attribute (class, key type, bits).
    mutating func add(_ type: CK_ATTRIBUTE_TYPE, ulong: CK_ULONG) {
        items.append((type, withUnsafeBytes(of: ulong) { Array($0) }))
    }

    /// Adds a `CK_BBOOL` attribute.
    mutating func add(_ type: CK_ATTRIBUTE_TYPE, bool: Bool) {
        items.append((type, [bool ? CK.trueValue : CK.falseValue]))
    }

    /// Calls `body` with a C array of the attributes.
    func withAttributes<R>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws -> R) rethrows -> R {
        let total = items.reduce(0) { $0 + $1.value.count }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 16)
        defer { arena.deallocate() }
        let attributes = UnsafeMutableBufferPointer<CK_ATTRIBUTE>.allocate(capacity: max(items.count, 1))
        defer { attributes.deallocate() }
        var offset = 0
        for (index, item) in items.enumerated() {
            let start = arena.baseAddress! + offset
            item.value.withUnsafeBytes { source in
                if let base = source.baseAddress, source.count > 0 { start.copyMemory(from: base, byteCount: source.count) }
            }
            attributes[index] = CK_ATTRIBUTE(type: item.type, pValue: item.value.isEmpty ? nil : start,
                                             ulValueLen: CK_ULONG(item.value.count))
            offset += item.value.count
        }
        return try body(items.isEmpty ? nil : attributes.baseAddress, CK_ULONG(items.count))
    }
}
