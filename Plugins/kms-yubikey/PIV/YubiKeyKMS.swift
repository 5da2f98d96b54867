import PluginKit

/// Keys in the PIV slots of a YubiKey, over PC/SC.
///
/// One card is one channel: every operation holds the instance's lock and runs inside an SCard
/// transaction (which also keeps other processes off the card), starting with SELECT.
public final class YubiKeyKMS: KeyManagementBackend {
    private let config: YubiKeyConfig
    private let context: PCSCContext
    private let card: CardSelection.Selected
    private let lock = Lock()
    private let host: PluginHost
    /// Set by ``close()``: later calls fail instead of reconnecting.
    private var closed = false

    private init(config: YubiKeyConfig, context: PCSCContext, card: CardSelection.Selected, host: PluginHost) {
        self.config = config
        self.context = context
        self.card = card
        self.host = host
    }

    /// Opens the YubiKey named by the `kms` object (by serial and reader filter; else the first).
    public static func open(configJSON: String, host: PluginHost) throws -> YubiKeyKMS {
        let config = try YubiKeyConfig(json: configJSON)
        do {
            let context = try PCSCContext(library: PCSCLibrary.shared())
            let card = try CardSelection.find(config, context: context)
            host.log(.info, "yubikey: using the card in reader \"\(card.connection.reader)\" (firmware \(card.version), serial \(card.serial.map(String.init) ?? "unknown"))")
            return YubiKeyKMS(config: config, context: context, card: card, host: host)
        } catch let error as PluginError {
            throw PluginError(error.code, "\(config.displayURI): \(error.message)")
        }
    }

    public func close() {
        lock.withLock {
            closed = true
            card.connection.close()
        }
    }

    // MARK: - Operations

    public func publicKey(name: String) throws -> [UInt8] {
        let slot = try YubiKeySlotName(name).slot
        return try operation(on: name) { connection in
            try slotKey(slot, connection).subjectPublicKeyInfo
        }
    }

    public func sign(key: String, algorithm: SignatureAlgorithm, digest: [UInt8]) throws -> [UInt8] {
        let slot = try YubiKeySlotName(key).slot
        return try operation(on: key) { connection in
            let publicKey = try slotKey(slot, connection)
            let input = try SigningInput.make(algorithm: algorithm, digest: digest, key: publicKey.algorithm, slot: slot)
            if let pin = config.pin {
                try connection.verifyPIN(pin)
            }
            do {
                return try connection.privateKeyOperation(slot: slot, algorithm: publicKey.algorithm, input: input)
            } catch let error as PluginError where error.code == .auth && config.pin == nil {
                throw PluginError(.auth, "\(error.message); set pin-value or pin-source in kms.uri")
            }
        }
    }

    public func createKey(_ request: KeyRequest) throws -> CreatedKey {
        let name = try YubiKeySlotName(request.name)
        let algorithm: PIVKeyAlgorithm
        switch request.type {
        case .ecP256: algorithm = .eccP256
        case .ecP384: algorithm = .eccP384
        case .rsa where request.bits == 0 || request.bits == 2048: algorithm = .rsa2048
        case .rsa:
            throw PluginError.unsupported("\(name.name) on \(config.displayURI): cannot create RSA-\(request.bits) keys; the card creates ECCP256, ECCP384 and RSA2048")
        default:
            throw PluginError.unsupported("\(name.name) on \(config.displayURI): cannot create \(request.type) keys; the card creates ECCP256, ECCP384 and RSA2048")
        }
        return try operation(on: name.name) { connection in
            // Never replace a key silently: it may be a CA key.
            if try slotHoldsKey(name.slot, connection) {
                throw PluginError.conflict("slot \(name.slot) already holds a key; clear the slot first or use another slot")
            }
            try authenticate(connection)
            let key = try connection.generateKey(slot: name.slot, algorithm: algorithm)
            return CreatedKey(name: name.name, publicKeyDER: key.subjectPublicKeyInfo)
        }
    }

    public func loadCertificate(name: String) throws -> [UInt8] {
        let slot = try YubiKeySlotName(name).slot
        return try operation(on: name) { connection in
            guard let certificate = try certificate(in: slot, connection) else {
                throw PluginError.notFound("slot \(slot) holds no certificate")
            }
            return certificate
        }
    }

    public func storeCertificate(name: String, der: [UInt8]) throws {
        let slot = try YubiKeySlotName(name).slot
        guard DER.subjectPublicKeyInfo(ofCertificate: der) != nil else {
            throw PluginError.invalidArgument("\(name) on \(config.displayURI): the data to store is not a DER certificate")
        }
        try operation(on: name) { connection in
            try authenticate(connection)
            // 70: certificate, 71: CertInfo (00 = not compressed), FE: error detection code
            try connection.putData(slot.certificateObject, content: TLV.encode(0x70, der) + TLV.encode(0x71, [0x00]) + TLV.encode(0xFE, []))
        }
    }

    // MARK: - Helpers

    /// Runs `body` with the card selected, under the lock and an SCard transaction; errors name
    /// the key and the URI (never the PIN or the management key).
    private func operation<T>(on keyName: String, _ body: (CardConnection) throws -> T) throws -> T {
        do {
            return try lock.withLock {
                guard !closed else { throw PluginError.unavailable("the key manager is closed") }
                return try card.connection.withTransaction {
                    try card.connection.selectPIV()
                    return try body(card.connection)
                }
            }
        } catch let error as PluginError {
            throw PluginError(error.code, "\(keyName) on \(config.displayURI): \(error.message)")
        }
    }

    private func authenticate(_ connection: CardConnection) throws {
        let algorithm = try connection.managementKeyAlgorithm(version: card.version)
        try connection.authenticate(ManagementKeyCipher(algorithm: algorithm, key: config.managementKey))
    }

    /// Whether a slot holds a key (GET METADATA), or, without GET METADATA, a certificate.
    private func slotHoldsKey(_ slot: PIVSlot, _ connection: CardConnection) throws -> Bool {
        if card.version >= FirmwareVersion(major: 5, minor: 3, patch: 0) {
            return try connection.metadata(slot.id) != nil
        }
        return try certificate(in: slot, connection) != nil
    }

    /// The public key in a slot: from GET METADATA (firmware 5.3+), else from the slot's certificate.
    private func slotKey(_ slot: PIVSlot, _ connection: CardConnection) throws -> PIVPublicKey {
        if card.version >= FirmwareVersion(major: 5, minor: 3, patch: 0) {
            guard let items = try connection.metadata(slot.id) else {
                throw PluginError.notFound("slot \(slot) holds no key")
            }
            guard let code = items.first(where: { $0.tag == 0x01 })?.value.first,
                  let encoded = items.first(where: { $0.tag == 0x04 })?.value else {
                throw PluginError.internal("the card's metadata for slot \(slot) lacks the algorithm or the public key")
            }
            guard let algorithm = PIVKeyAlgorithm(rawValue: code) else {
                throw PluginError.unsupported("slot \(slot) holds a key of algorithm 0x\(String(code, radix: 16)), which this plugin cannot use (ECCP256, ECCP384, RSA2048)")
            }
            guard let key = PIVPublicKey(algorithm: algorithm, encoded: encoded) else {
                throw PluginError.internal("the card sent a malformed public key for slot \(slot)")
            }
            return key
        }
        guard let certificate = try certificate(in: slot, connection),
              let spki = DER.subjectPublicKeyInfo(ofCertificate: certificate) else {
            throw PluginError.notFound("slot \(slot) holds no certificate to read its public key from (firmware \(card.version) has no GET METADATA)")
        }
        return try PIVPublicKey(subjectPublicKeyInfo: spki, slot: slot)
    }

    private func certificate(in slot: PIVSlot, _ connection: CardConnection) throws -> [UInt8]? {
        guard let content = try connection.getData(slot.certificateObject) else { return nil }
        guard let items = TLV.parse(content), let certificate = items.first(where: { $0.tag == 0x70 })?.value else {
            throw PluginError.internal("the certificate object of slot \(slot) is malformed")
        }
        if let info = items.first(where: { $0.tag == 0x71 })?.value.first, info & 0x01 != 0 {
            throw PluginError.unsupported("the certificate in slot \(slot) is compressed, which this plugin cannot read")
        }
        return certificate.isEmpty ? nil : certificate
    }
}
