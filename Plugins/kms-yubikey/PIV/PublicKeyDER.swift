import PluginKit

/// A public key as the card encodes it (GENERATE, GET METADATA), convertible to DER.
enum PIVPublicKey {
    case ec(PIVKeyAlgorithm, point: [UInt8])
    case rsa(modulus: [UInt8], exponent: [UInt8])
    /// A key known only from a certificate (firmware without GET METADATA).
    case der(PIVKeyAlgorithm, subjectPublicKeyInfo: [UInt8])

    /// Parses the card's encoding: `86` = uncompressed EC point, `81`/`82` = RSA modulus/exponent.
    init?(algorithm: PIVKeyAlgorithm, encoded: [UInt8]) {
        guard let items = TLV.parse(encoded) else { return nil }
        if algorithm.isEC {
            guard let point = items.first(where: { $0.tag == 0x86 })?.value,
                  point.count == 1 + 2 * algorithm.size, point.first == 0x04 else { return nil }
            self = .ec(algorithm, point: point)
        } else {
            guard let modulus = items.first(where: { $0.tag == 0x81 })?.value,
                  let exponent = items.first(where: { $0.tag == 0x82 })?.value, !modulus.isEmpty, !exponent.isEmpty else { return nil }
            self = .rsa(modulus: modulus, exponent: exponent)
        }
    }

    /// A key from a certificate's SubjectPublicKeyInfo.
    init(subjectPublicKeyInfo spki: [UInt8], slot: PIVSlot) throws {
        guard let algorithm = DER.keyAlgorithm(ofSubjectPublicKeyInfo: spki) else {
            throw PluginError.unsupported("the certificate in slot \(slot) has a key this plugin cannot use (ECCP256, ECCP384, RSA2048)")
        }
        self = .der(algorithm, subjectPublicKeyInfo: spki)
    }

    var algorithm: PIVKeyAlgorithm {
        switch self {
        case .ec(let algorithm, _): return algorithm
        case .rsa: return .rsa2048
        case .der(let algorithm, _): return algorithm
        }
    }

    /// The DER SubjectPublicKeyInfo.
    var subjectPublicKeyInfo: [UInt8] {
        switch self {
        case .ec(let algorithm, let point):
            let curve = algorithm == .eccP256 ? DER.oidP256 : DER.oidP384
            return DER.sequence(DER.sequence(DER.oidECPublicKey + curve) + DER.bitString(point))
        case .rsa(let modulus, let exponent):
            let key = DER.sequence(DER.integer(modulus) + DER.integer(exponent))
            return DER.sequence(DER.sequence(DER.oidRSAEncryption + [0x05, 0x00]) + DER.bitString(key))
        case .der(_, let spki):
            return spki
        }
    }
}

/// The little DER this plugin writes and reads.
enum DER {
    static let oidECPublicKey: [UInt8] = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
    static let oidP256: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    static let oidP384: [UInt8] = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
    static let oidRSAEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var value = content.count
            length = []
            while value > 0 { length.insert(UInt8(value & 0xFF), at: 0); value >>= 8 }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + content
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { element(0x30, content) }
    static func bitString(_ content: [UInt8]) -> [UInt8] { element(0x03, [0x00] + content) }

    /// A non-negative INTEGER from big-endian magnitude bytes.
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return element(0x02, bytes)
    }

    /// Splits DER into its top-level elements: (tag, whole element, content). Nil when malformed.
    static func elements(_ bytes: ArraySlice<UInt8>) -> [(tag: UInt8, whole: ArraySlice<UInt8>, content: ArraySlice<UInt8>)]? {
        var result: [(tag: UInt8, whole: ArraySlice<UInt8>, content: ArraySlice<UInt8>)] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let start = index
            let tag = bytes[index]
            index += 1
            guard index < bytes.endIndex else { return nil }
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let width = length & 0x7F
                guard (1...3).contains(width), index + width <= bytes.endIndex else { return nil }
                length = bytes[index..<(index + width)].reduce(0) { $0 << 8 | Int($1) }
                index += width
            }
            guard index + length <= bytes.endIndex else { return nil }
            result.append((tag, bytes[start..<(index + length)], bytes[index..<(index + length)]))
            index += length
        }
        return result
    }

    /// The SubjectPublicKeyInfo of a DER certificate.
    static func subjectPublicKeyInfo(ofCertificate certificate: [UInt8]) -> [UInt8]? {
        guard let outer = elements(certificate[...]), outer.count == 1, outer[0].tag == 0x30,
              let parts = elements(outer[0].content), let tbs = parts.first, tbs.tag == 0x30,
              var fields = elements(tbs.content) else { return nil }
        if fields.first?.tag == 0xA0 { fields.removeFirst() }  // [0] version
        // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        guard fields.count >= 6, fields[5].tag == 0x30 else { return nil }
        return Array(fields[5].whole)
    }

    /// The card algorithm of a SubjectPublicKeyInfo (P-256, P-384 or RSA-2048).
    static func keyAlgorithm(ofSubjectPublicKeyInfo spki: [UInt8]) -> PIVKeyAlgorithm? {
        guard let outer = elements(spki[...]), outer.count == 1, let parts = elements(outer[0].content),
              parts.count == 2, parts[0].tag == 0x30, let identifiers = elements(parts[0].content),
              let algorithm = identifiers.first else { return nil }
        if Array(algorithm.whole) == oidRSAEncryption {
            // BIT STRING: 00, then SEQUENCE { modulus, exponent }
            guard parts[1].content.count > 1, let key = elements(parts[1].content.dropFirst()), key.count == 1,
                  let numbers = elements(key[0].content), numbers.count == 2 else { return nil }
            return numbers[0].content.drop { $0 == 0 }.count == 256 ? .rsa2048 : nil
        }
        guard Array(algorithm.whole) == oidECPublicKey, identifiers.count == 2 else { return nil }
        switch Array(identifiers[1].whole) {
        case oidP256: return .eccP256
        case oidP384: return .eccP384
        default: return nil
        }
    }
}
