/// The Blowfish block cipher state, with the "expensive key schedule" steps that
/// bcrypt_pbkdf needs (OpenBSD `Blowfish_expandstate` / `Blowfish_expand0state`).
///
/// swift-crypto does not provide Blowfish. Used only to derive keys for OpenSSH key files.
/// The state lives in one manually managed buffer and the inner loops avoid generic integer
/// operations, so key derivation stays usable in unoptimized (debug) builds too.
final class Blowfish {
    /// Words 0..<18 are the subkeys P; words 18..<1042 are the four S-boxes.
    private let state: UnsafeMutablePointer<UInt32>
    private static let wordCount = 18 + 4 * 256

    /// The initial state (the digits of pi), before any key is mixed in.
    init() {
        self.state = .allocate(capacity: Self.wordCount)
        var index = 0
        for table in [BlowfishTables.initialP, BlowfishTables.initialS0, BlowfishTables.initialS1, BlowfishTables.initialS2, BlowfishTables.initialS3] {
            for word in table {
                self.state[index] = word
                index += 1
            }
        }
    }

    /// The standard Blowfish key schedule, for a key of 1 to 72 bytes.
    convenience init(key: [UInt8]) {
        self.init()
        self.expand0State(key: key)
    }

    deinit {
        self.state.deallocate()
    }

    /// Encrypts one 64-bit block given as two big-endian halves.
    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        var l = left
        var r = right
        Self.encipher(&l, &r, self.state)
        return (l, r)
    }

    /// Encrypts consecutive 64-bit blocks in place (ECB), like OpenBSD `blf_enc`.
    func encrypt(words: inout [UInt32]) {
        var index = 0
        while index + 1 < words.count {
            var l = words[index]
            var r = words[index + 1]
            Self.encipher(&l, &r, self.state)
            words[index] = l
            words[index + 1] = r
            index += 2
        }
    }

    /// Mixes `key` into the subkeys, then re-keys the state from a zero block chain.
    func expand0State(key: [UInt8]) {
        precondition(!key.isEmpty)
        key.withUnsafeBufferPointer { key in
            self.expand(key: key, data: nil)
        }
    }

    /// Like ``expand0State(key:)``, but also XORs `data` (the salt) into the chain.
    func expandState(data: [UInt8], key: [UInt8]) {
        precondition(!key.isEmpty && !data.isEmpty)
        key.withUnsafeBufferPointer { key in
            data.withUnsafeBufferPointer { data in
                self.expand(key: key, data: data)
            }
        }
    }

    private func expand(key: UnsafeBufferPointer<UInt8>, data: UnsafeBufferPointer<UInt8>?) {
        let state = self.state
        var j = 0
        var i = 0
        while i < 18 {
            state[i] ^= Self.streamToWord(key, &j)
            i += 1
        }
        var l: UInt32 = 0
        var r: UInt32 = 0
        j = 0
        i = 0
        while i < Self.wordCount {
            if let data {
                l ^= Self.streamToWord(data, &j)
                r ^= Self.streamToWord(data, &j)
            }
            Self.encipher(&l, &r, state)
            state[i] = l
            state[i + 1] = r
            i += 2
        }
    }

    /// Reads four bytes big-endian from `data`, wrapping around at its end.
    @inline(__always)
    static func streamToWord(_ data: UnsafeBufferPointer<UInt8>, _ j: inout Int) -> UInt32 {
        let base = data.baseAddress!
        let count = data.count
        var word: UInt32 = 0
        var n = 0
        while n < 4 {
            if j >= count {
                j = 0
            }
            word = (word &<< 8) | UInt32(base[j])
            j += 1
            n += 1
        }
        return word
    }

    /// 16 Feistel rounds; `state` holds P then the S-boxes.
    @inline(__always)
    private static func encipher(_ left: inout UInt32, _ right: inout UInt32, _ state: UnsafeMutablePointer<UInt32>) {
        let s0 = state + 18
        let s1 = state + 274
        let s2 = state + 530
        let s3 = state + 786
        var l = left ^ state[0]
        var r = right
        var i = 1
        while i < 17 {
            r ^= (((s0[Int(l &>> 24)] &+ s1[Int((l &>> 16) & 0xff)]) ^ s2[Int((l &>> 8) & 0xff)]) &+ s3[Int(l & 0xff)]) ^ state[i]
            l ^= (((s0[Int(r &>> 24)] &+ s1[Int((r &>> 16) & 0xff)]) ^ s2[Int((r &>> 8) & 0xff)]) &+ s3[Int(r & 0xff)]) ^ state[i + 1]
            i += 2
        }
        left = r ^ state[17]
        right = l
    }
}
