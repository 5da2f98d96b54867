import PluginKit

/// PIV and YubiKey commands, sent on a connection inside a transaction.
extension CardConnection {
    static let pivAID: [UInt8] = [0xA0, 0x00, 0x00, 0x03, 0x08]

    /// SELECT the PIV application.
    func selectPIV() throws {
        let response = try send(ins: 0xA4, p1: 0x04, p2: 0x00, data: Self.pivAID)
        guard response.isSuccess else {
            throw PluginError.notFound("the card in reader \"\(reader)\" has no PIV application (\(StatusWord.describe(response.status)))")
        }
    }

    /// GET VERSION (YubiKey): the firmware version.
    func firmwareVersion() throws -> FirmwareVersion {
        let response = try send(ins: 0xFD, p1: 0, p2: 0)
        guard response.isSuccess, response.data.count >= 3 else {
            throw PluginError.unsupported("the card in reader \"\(reader)\" is not a YubiKey (GET VERSION: \(StatusWord.describe(response.status)))")
        }
        return FirmwareVersion(major: response.data[0], minor: response.data[1], patch: response.data[2])
    }

    /// GET SERIAL (YubiKey 5): the serial number, or nil when the card does not tell.
    func serialNumber() throws -> UInt32? {
        let response = try send(ins: 0xF8, p1: 0, p2: 0)
        guard response.isSuccess, response.data.count == 4 else { return nil }
        return response.data.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// VERIFY with the PIN (padded with FF to 8 bytes). Throws `.auth` with the remaining tries.
    func verifyPIN(_ pin: String) throws {
        let bytes = Array(pin.utf8)
        guard (1...8).contains(bytes.count) else {
            throw PluginError.invalidArgument("the PIN must be 1 to 8 characters long (PIV)")
        }
        let response = try send(ins: 0x20, p1: 0x00, p2: 0x80, data: bytes + [UInt8](repeating: 0xFF, count: 8 - bytes.count))
        switch response.status {
        case 0x9000: return
        case 0x63C0...0x63CF:
            let tries = Int(response.status & 0x0F)
            throw PluginError(.auth, "wrong PIN, \(tries) \(tries == 1 ? "try" : "tries") left before the PIN is blocked")
        case 0x6983:
            throw PluginError(.auth, "the PIN is blocked (no tries left); unblock it with the PUK")
        default:
            throw PluginError(.auth, "PIN verification failed (\(StatusWord.describe(response.status)))")
        }
    }

    /// GET METADATA (YubiKey 5.3+) for a slot or key reference; nil when the slot is empty.
    /// Throws `.unsupported` when the card has no GET METADATA.
    func metadata(_ reference: UInt8) throws -> [(tag: UInt16, value: [UInt8])]? {
        let response = try send(ins: 0xF7, p1: 0x00, p2: reference)
        switch response.status {
        case 0x9000:
            guard let items = TLV.parse(response.data) else {
                throw PluginError.internal("the card sent malformed metadata for key reference \(String(reference, radix: 16))")
            }
            return items
        case 0x6A82: return nil
        default: throw PluginError.unsupported("GET METADATA is not supported (\(StatusWord.describe(response.status)))")
        }
    }

    /// The management key's algorithm: from GET METADATA on 9B when the card has it, else 3DES.
    func managementKeyAlgorithm(version: FirmwareVersion) throws -> ManagementKeyAlgorithm {
        guard version >= FirmwareVersion(major: 5, minor: 3, patch: 0),
              let items = try? metadata(0x9B),
              let value = items.first(where: { $0.tag == 0x01 })?.value.first else { return .tripleDES }
        guard let algorithm = ManagementKeyAlgorithm(rawValue: value) else {
            throw PluginError.unsupported("the card's management key uses algorithm 0x\(String(value, radix: 16)), which this plugin does not know")
        }
        return algorithm
    }

    /// Mutual authentication with the management key (GENERAL AUTHENTICATE on 9B):
    /// the card sends an encrypted witness, we return it decrypted with a challenge of our own,
    /// and check the card's encryption of that challenge.
    func authenticate(_ cipher: ManagementKeyCipher) throws {
        let algorithm = cipher.algorithm.rawValue
        let step1 = try send(ins: 0x87, p1: algorithm, p2: 0x9B, data: TLV.encode(0x7C, TLV.encode(0x80, [])))
        guard step1.isSuccess, let dynamic = TLV.find(0x7C, in: step1.data), let witness = TLV.find(0x80, in: dynamic),
              witness.count == cipher.algorithm.blockSize else {
            throw PluginError(.auth, "management key authentication (\(cipher.algorithm)) was refused: \(StatusWord.describe(step1.status))")
        }
        var challenge = [UInt8](repeating: 0, count: cipher.algorithm.blockSize)
        var generator = SystemRandomNumberGenerator()
        for index in challenge.indices { challenge[index] = generator.next() }
        let answer = TLV.encode(0x80, try cipher.decrypt(witness)) + TLV.encode(0x81, challenge)
        let step2 = try send(ins: 0x87, p1: algorithm, p2: 0x9B, data: TLV.encode(0x7C, answer))
        guard step2.isSuccess else {
            throw PluginError(.auth, "wrong management key (\(cipher.algorithm) authentication failed: \(StatusWord.describe(step2.status)))")
        }
        guard let dynamic2 = TLV.find(0x7C, in: step2.data), let proof = TLV.find(0x82, in: dynamic2),
              proof == (try cipher.encrypt(challenge)) else {
            throw PluginError(.auth, "the card failed the management key's mutual authentication (\(cipher.algorithm)): it does not hold the same key")
        }
    }

    /// GENERATE ASYMMETRIC KEY PAIR in a slot; returns the public key.
    func generateKey(slot: PIVSlot, algorithm: PIVKeyAlgorithm) throws -> PIVPublicKey {
        let template = TLV.encode(0xAC, TLV.encode(0x80, [algorithm.rawValue]))
        let response = try send(ins: 0x47, p1: 0x00, p2: slot.id, data: template)
        guard response.isSuccess else {
            if response.status == 0x6982 {
                throw PluginError(.auth, "key generation in slot \(slot) needs management key authentication (\(StatusWord.describe(response.status)))")
            }
            throw PluginError.unsupported("the card cannot generate a \(algorithm) key in slot \(slot) (\(StatusWord.describe(response.status)))")
        }
        guard let inner = TLV.find(0x7F49, in: response.data),
              let key = PIVPublicKey(algorithm: algorithm, encoded: inner) else {
            throw PluginError.internal("the card sent a malformed public key for slot \(slot)")
        }
        return key
    }

    /// GENERAL AUTHENTICATE with a slot's private key over `input` (a digest for ECDSA, a
    /// padded block for RSA); returns the card's output (DER for ECDSA, raw for RSA).
    func privateKeyOperation(slot: PIVSlot, algorithm: PIVKeyAlgorithm, input: [UInt8]) throws -> [UInt8] {
        let template = TLV.encode(0x7C, TLV.encode(0x82, []) + TLV.encode(0x81, input))
        let response = try send(ins: 0x87, p1: algorithm.rawValue, p2: slot.id, data: template)
        switch response.status {
        case 0x9000: break
        case 0x6982: throw PluginError(.auth, "the card wants the PIN (or a touch) for slot \(slot) (\(StatusWord.describe(response.status)))")
        case 0x6A82: throw PluginError.notFound("slot \(slot) holds no key")
        default: throw PluginError.internal("signing with slot \(slot) failed (\(StatusWord.describe(response.status)))")
        }
        guard let dynamic = TLV.find(0x7C, in: response.data), let output = TLV.find(0x82, in: dynamic) else {
            throw PluginError.internal("the card sent a malformed signature for slot \(slot)")
        }
        return output
    }

    /// GET DATA of a PIV data object; nil when the object is absent.
    func getData(_ object: [UInt8]) throws -> [UInt8]? {
        let response = try send(ins: 0xCB, p1: 0x3F, p2: 0xFF, data: TLV.encode(0x5C, object))
        switch response.status {
        case 0x9000:
            guard let content = TLV.find(0x53, in: response.data) else {
                throw PluginError.internal("the card sent a malformed data object")
            }
            return content
        case 0x6A82: return nil
        default: throw PluginError.internal("GET DATA failed (\(StatusWord.describe(response.status)))")
        }
    }

    /// PUT DATA of a PIV data object (needs management key authentication).
    func putData(_ object: [UInt8], content: [UInt8]) throws {
        let response = try send(ins: 0xDB, p1: 0x3F, p2: 0xFF, data: TLV.encode(0x5C, object) + TLV.encode(0x53, content))
        switch response.status {
        case 0x9000: return
        case 0x6982: throw PluginError(.auth, "storing data needs management key authentication (\(StatusWord.describe(response.status)))")
        case 0x6A84: throw PluginError.unavailable("the card has no room for the data (\(StatusWord.describe(response.status)))")
        default: throw PluginError.internal("PUT DATA failed (\(StatusWord.describe(response.status)))")
        }
    }
}

/// A YubiKey firmware version.
struct FirmwareVersion: Comparable, CustomStringConvertible {
    var major: UInt8, minor: UInt8, patch: UInt8

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    var description: String { "\(major).\(minor).\(patch)" }
}
