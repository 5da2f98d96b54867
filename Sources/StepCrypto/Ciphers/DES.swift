/// The DES block cipher (FIPS 46-3) and its three-key EDE form, for reading old key files only.
///
/// swift-crypto does not provide DES. This is a direct, table-driven implementation; it is not
/// constant-time and must never be used to protect new data.
struct DES {
    /// The 16 round keys, 48 bits each.
    private let roundKeys: [UInt64]

    /// Creates a cipher from an 8-byte key (parity bits are ignored).
    init(key: ArraySlice<UInt8>) {
        precondition(key.count == 8, "DES keys are 8 bytes")
        let keyBits = key.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        let permuted = Self.permute(keyBits, inputWidth: 64, table: DESTables.permutedChoice1)
        var c = UInt32(truncatingIfNeeded: permuted >> 28) & 0x0fff_ffff
        var d = UInt32(truncatingIfNeeded: permuted) & 0x0fff_ffff
        var keys: [UInt64] = []
        keys.reserveCapacity(16)
        for shift in DESTables.keyShifts {
            c = ((c << UInt32(shift)) | (c >> UInt32(28 - shift))) & 0x0fff_ffff
            d = ((d << UInt32(shift)) | (d >> UInt32(28 - shift))) & 0x0fff_ffff
            let combined = (UInt64(c) << 28) | UInt64(d)
            keys.append(Self.permute(combined, inputWidth: 56, table: DESTables.permutedChoice2))
        }
        self.roundKeys = keys
    }

    func encrypt(_ block: UInt64) -> UInt64 {
        self.crypt(block, decrypting: false)
    }

    func decrypt(_ block: UInt64) -> UInt64 {
        self.crypt(block, decrypting: true)
    }

    private func crypt(_ block: UInt64, decrypting: Bool) -> UInt64 {
        let permuted = Self.permute(block, inputWidth: 64, table: DESTables.initialPermutation)
        var left = UInt32(truncatingIfNeeded: permuted >> 32)
        var right = UInt32(truncatingIfNeeded: permuted)
        for round in 0..<16 {
            let key = self.roundKeys[decrypting ? 15 - round : round]
            (left, right) = (right, left ^ Self.feistel(right, key: key))
        }
        let preOutput = (UInt64(right) << 32) | UInt64(left)
        return Self.permute(preOutput, inputWidth: 64, table: DESTables.finalPermutation)
    }

    private static func feistel(_ half: UInt32, key: UInt64) -> UInt32 {
        let expanded = Self.permute(UInt64(half), inputWidth: 32, table: DESTables.expansion) ^ key
        var substituted: UInt32 = 0
        for box in 0..<8 {
            let six = Int((expanded >> UInt64(42 - 6 * box)) & 0x3f)
            let row = ((six & 0x20) >> 4) | (six & 1)
            let column = (six >> 1) & 0x0f
            substituted = (substituted << 4) | UInt32(DESTables.sBoxes[box][row * 16 + column])
        }
        return UInt32(truncatingIfNeeded: Self.permute(UInt64(substituted), inputWidth: 32, table: DESTables.roundPermutation))
    }

    private static func permute(_ input: UInt64, inputWidth: Int, table: [UInt8]) -> UInt64 {
        var output: UInt64 = 0
        for position in table {
            output = (output << 1) | ((input >> UInt64(inputWidth - Int(position))) & 1)
        }
        return output
    }
}

/// Three-key triple DES in encrypt-decrypt-encrypt form (DES-EDE3).
struct TripleDES {
    private let first: DES
    private let second: DES
    private let third: DES

    /// Creates a cipher from a 24-byte key `K1 || K2 || K3`.
    init(key: [UInt8]) {
        precondition(key.count == 24, "DES-EDE3 keys are 24 bytes")
        self.first = DES(key: key[0..<8])
        self.second = DES(key: key[8..<16])
        self.third = DES(key: key[16..<24])
    }

    func encrypt(_ block: UInt64) -> UInt64 {
        self.third.encrypt(self.second.decrypt(self.first.encrypt(block)))
    }

    func decrypt(_ block: UInt64) -> UInt64 {
        self.first.decrypt(self.second.encrypt(self.third.decrypt(block)))
    }
}
