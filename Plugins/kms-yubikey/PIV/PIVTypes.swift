/// A PIV key slot: 9a, 9c, 9d, 9e and the retired key slots 82–95.
struct PIVSlot: Hashable, CustomStringConvertible {
    let id: UInt8

    init?(id: UInt8) {
        guard [0x9A, 0x9C, 0x9D, 0x9E].contains(id) || (0x82...0x95).contains(id) else { return nil }
        self.id = id
    }

    /// Parses a two-digit hex slot id ("9c").
    init?(hex: String) {
        guard hex.count == 2, let value = UInt8(hex, radix: 16) else { return nil }
        self.init(id: value)
    }

    /// The data object holding the slot's certificate (SP 800-73-4, Part 1, table 3).
    var certificateObject: [UInt8] {
        let tag: UInt32
        switch id {
        case 0x9A: tag = 0x5FC105
        case 0x9C: tag = 0x5FC10A
        case 0x9D: tag = 0x5FC10B
        case 0x9E: tag = 0x5FC101
        default: tag = 0x5FC10D + UInt32(id - 0x82)
        }
        return [UInt8(tag >> 16), UInt8(tag >> 8 & 0xFF), UInt8(tag & 0xFF)]
    }

    var description: String {
        let digits = String(id, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}

/// Asymmetric algorithms of the card (PIV algorithm identifiers).
enum PIVKeyAlgorithm: UInt8, CustomStringConvertible {
    case rsa2048 = 0x07
    case eccP256 = 0x11
    case eccP384 = 0x14

    var description: String {
        switch self {
        case .rsa2048: return "RSA2048"
        case .eccP256: return "ECCP256"
        case .eccP384: return "ECCP384"
        }
    }

    var isEC: Bool { self != .rsa2048 }

    /// Bytes of a field element (EC) or of the modulus (RSA).
    var size: Int {
        switch self {
        case .rsa2048: return 256
        case .eccP256: return 32
        case .eccP384: return 48
        }
    }
}

/// The management key's algorithm (PIV identifiers; AES on YubiKey 5.4 and later).
enum ManagementKeyAlgorithm: UInt8, CustomStringConvertible {
    case tripleDES = 0x03
    case aes128 = 0x08
    case aes192 = 0x0A
    case aes256 = 0x0C

    var keyLength: Int {
        switch self {
        case .tripleDES, .aes192: return 24
        case .aes128: return 16
        case .aes256: return 32
        }
    }

    var blockSize: Int { self == .tripleDES ? 8 : 16 }

    var description: String {
        switch self {
        case .tripleDES: return "3DES"
        case .aes128: return "AES-128"
        case .aes192: return "AES-192"
        case .aes256: return "AES-256"
        }
    }
}
