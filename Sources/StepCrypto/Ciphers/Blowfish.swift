/// The Blowfish block cipher state, with the "expensive key schedule" steps that
/// bcrypt_pbkdf needs (OpenBSD `Blowfish_expandstate` / `Blowfish_expand0state`).
///
/// swift-crypto does not provide Blowfish. Used only to derive keys for OpenSSH key files.
struct Blowfish {
    /// The 18 subkeys.
    private var p: [UInt32]
    /// The four 256-entry S-boxes, one after another.
    private var s: [UInt32]

    /// The initial state (the digits of pi), before any key is mixed in.
    init() {
        self.p = BlowfishTables.initialP
        self.s = BlowfishTables.initialS0 + BlowfishTables.initialS1 + BlowfishTables.initialS2 + BlowfishTables.initialS3
    }

    /// The standard Blowfish key schedule, for a key of 1 to 72 bytes.
    init(key: [UInt8]) {
        self.init()
        self.expand0State(key: key)
    }

    /// Encrypts one 64-bit block given as two big-endian halves.
    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        var l = left
        var r = right
        self.p.withUnsafeBufferPointer { p in
            self.s.withUnsafeBufferPointer { s in
                Self.encipher(&l, &r, p, s)
            }
        }
        return (l, r)
    }

    /// Encrypts consecutive 64-bit blocks in place (ECB), like OpenBSD `blf_enc`.
    func encrypt(words: inout [UInt32]) {
        self.p.withUnsafeBufferPointer { p in
            self.s.withUnsafeBufferPointer { s in
                var index = 0
                while index + 1 < words.count {
                    var l = words[index]
                    var r = words[index + 1]
                    Self.encipher(&l, &r, p, s)
                    words[index] = l
                    words[index + 1] = r
                    index += 2
                }
            }
        }
    }

    /// Mixes `key` into the subkeys, then re-keys the state from a zero block chain.
    mutating func expand0State(key: [UInt8]) {
        self.expand(key: key, data: nil)
    }

    /// Like ``expand0State(key:)``, but also XORs `data` (the salt) into the chain.
    mutating func expandState(data: [UInt8], key: [UInt8]) {
        self.expand(key: key, data: data)
    }

    private mutating func expand(key: [UInt8], data: [UInt8]?) {
        precondition(!key.isEmpty && data?.isEmpty != true)
        key.withUnsafeBufferPointer { key in
            (data ?? []).withUnsafeBufferPointer { data in
                self.p.withUnsafeMutableBufferPointer { p in
                    self.s.withUnsafeMutableBufferPointer { s in
                        var j = 0
                        for i in 0..<18 {
                            p[i] ^= Self.streamToWord(key, &j)
                        }
                        var l: UInt32 = 0
                        var r: UInt32 = 0
                        j = 0
                        var i = 0
                        while i < 18 {
                            if !data.isEmpty {
                                l ^= Self.streamToWord(data, &j)
                                r ^= Self.streamToWord(data, &j)
                            }
                            Self.encipher(&l, &r, UnsafeBufferPointer(p), UnsafeBufferPointer(s))
                            p[i] = l
                            p[i + 1] = r
                            i += 2
                        }
                        i = 0
                        while i < 1024 {
                            if !data.isEmpty {
                                l ^= Self.streamToWord(data, &j)
                                r ^= Self.streamToWord(data, &j)
                            }
                            Self.encipher(&l, &r, UnsafeBufferPointer(p), UnsafeBufferPointer(s))
                            s[i] = l
                            s[i + 1] = r
                            i += 2
                        }
                    }
                }
            }
        }
    }

    /// Reads four bytes big-endian from `data`, wrapping around at its end.
    @inline(__always)
    static func streamToWord(_ data: UnsafeBufferPointer<UInt8>, _ j: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            if j >= data.count {
                j = 0
            }
            word = (word << 8) | UInt32(data[j])
            j += 1
        }
        return word
    }

    @inline(__always)
    private static func feistel(_ x: UInt32, _ s: UnsafeBufferPointer<UInt32>) -> UInt32 {
        let a = s[Int(x >> 24)]
        let b = s[256 + Int((x >> 16) & 0xff)]
        let c = s[512 + Int((x >> 8) & 0xff)]
        let d = s[768 + Int(x & 0xff)]
        return ((a &+ b) ^ c) &+ d
    }

    @inline(__always)
    private static func encipher(_ left: inout UInt32, _ right: inout UInt32, _ p: UnsafeBufferPointer<UInt32>, _ s: UnsafeBufferPointer<UInt32>) {
        var l = left ^ p[0]
        var r = right
        var i = 1
        while i < 17 {
            r ^= Self.feistel(l, s) ^ p[i]
            l ^= Self.feistel(r, s) ^ p[i + 1]
            i += 2
        }
        left = r ^ p[17]
        right = l
    }
}
