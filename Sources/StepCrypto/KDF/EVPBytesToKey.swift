import Crypto

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration, the key derivation of
/// legacy encrypted PEM (RFC 1423): `D_i = MD5(D_{i-1} || password || salt)`.
enum EVPBytesToKey {
    static func deriveKey(password: [UInt8], salt: [UInt8], keyLength: Int) -> [UInt8] {
        var key: [UInt8] = []
        var previous: [UInt8] = []
        while key.count < keyLength {
            var md5 = Insecure.MD5()
            md5.update(data: previous)
            md5.update(data: password)
            md5.update(data: salt)
            previous = Array(md5.finalize())
            key += previous
        }
        return Array(key.prefix(keyLength))
    }
}
