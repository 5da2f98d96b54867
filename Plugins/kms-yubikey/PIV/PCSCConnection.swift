import PluginKit

/// A PC/SC resource-manager context: lists readers and connects to cards.
final class PCSCContext {
    let library: PCSCLibrary
    private(set) var handle: Int = 0

    init(library: PCSCLibrary) throws {
        self.library = library
        var context = 0
        let status = library.establishContext(PCSC.scopeSystem, nil, nil, &context)
        guard status == PCSC.success else {
            throw PluginError.unavailable("cannot reach pcscd: \(PCSC.describe(status))")
        }
        handle = context
    }

    deinit {
        if handle != 0 { _ = library.releaseContext(handle) }
    }

    /// The names of the readers pcscd knows (an empty list when there are none).
    func readers() throws -> [String] {
        var length: UInt = 0
        var status = library.listReaders(handle, nil, nil, &length)
        if status == PCSC.noReadersAvailable { return [] }
        guard status == PCSC.success else { throw PluginError.unavailable("listing readers failed: \(PCSC.describe(status))") }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        status = library.listReaders(handle, nil, &buffer, &length)
        if status == PCSC.noReadersAvailable { return [] }
        guard status == PCSC.success else { throw PluginError.unavailable("listing readers failed: \(PCSC.describe(status))") }
        // A multi-string: names separated by NUL, ended by an empty name.
        return buffer.split(separator: 0, omittingEmptySubsequences: true).map {
            String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Connects to the card in `reader` (shared mode, T=1 or T=0).
    func connect(reader: String) throws -> CardConnection {
        var card = 0
        var active: UInt = 0
        let status = library.connect(handle, reader, PCSC.shareShared, PCSC.protocolT1 | PCSC.protocolT0, &card, &active)
        guard status == PCSC.success else {
            throw PluginError.unavailable("cannot connect to the card in reader \"\(reader)\": \(PCSC.describe(status))")
        }
        return CardConnection(library: library, context: self, reader: reader, handle: card, activeProtocol: active)
    }
}

/// One connection to a card. Not thread-safe: callers serialise (see ``PIVCard``).
final class CardConnection {
    let library: PCSCLibrary
    let reader: String
    /// Keeps the context alive as long as the connection.
    private let context: PCSCContext
    private var handle: Int
    private var activeProtocol: UInt

    init(library: PCSCLibrary, context: PCSCContext, reader: String, handle: Int, activeProtocol: UInt) {
        self.library = library
        self.context = context
        self.reader = reader
        self.handle = handle
        self.activeProtocol = activeProtocol
    }

    deinit { close() }

    /// Disconnects, leaving the card as it is.
    func close() {
        if handle != 0 {
            _ = library.disconnect(handle, PCSC.leaveCard)
            handle = 0
        }
    }

    /// Runs `body` inside an SCard transaction (exclusive access to the card for this process
    /// and every other PC/SC client). Reconnects once when the card was reset or re-inserted.
    func withTransaction<T>(_ body: () throws -> T) throws -> T {
        var status = library.beginTransaction(handle)
        if PCSC.needsReconnect(status) {
            try reconnect()
            status = library.beginTransaction(handle)
        }
        guard status == PCSC.success else {
            throw PluginError.unavailable("cannot start a transaction with the card in reader \"\(reader)\": \(PCSC.describe(status))")
        }
        defer { _ = library.endTransaction(handle, PCSC.leaveCard) }
        return try body()
    }

    private func reconnect() throws {
        var active: UInt = 0
        let status = library.reconnect(handle, PCSC.shareShared, PCSC.protocolT1 | PCSC.protocolT0, PCSC.leaveCard, &active)
        if status == PCSC.success {
            activeProtocol = active
            return
        }
        // The handle itself is gone (pcscd restarted, card re-inserted): connect afresh.
        let fresh = try context.connect(reader: reader)
        _ = library.disconnect(handle, PCSC.leaveCard)
        handle = fresh.handle
        activeProtocol = fresh.activeProtocol
        fresh.handle = 0
    }

    /// Sends one short APDU and returns the raw response (data and status word).
    func transmit(_ command: [UInt8]) throws -> [UInt8] {
        // SCARD_IO_REQUEST { unsigned long dwProtocol; unsigned long cbPciLength; }
        var sendPCI: (UInt, UInt) = (activeProtocol, UInt(MemoryLayout<(UInt, UInt)>.size))
        var response = [UInt8](repeating: 0, count: 4096)
        var length = UInt(response.count)
        let status = withUnsafePointer(to: &sendPCI) { pci in
            command.withUnsafeBufferPointer { send in
                response.withUnsafeMutableBufferPointer { receive in
                    library.transmit(handle, UnsafeRawPointer(pci), send.baseAddress, UInt(send.count), nil,
                                     receive.baseAddress, &length)
                }
            }
        }
        guard status == PCSC.success else {
            throw PluginError.unavailable("transmitting to the card in reader \"\(reader)\" failed: \(PCSC.describe(status))")
        }
        guard length >= 2 else {
            throw PluginError.internal("the card in reader \"\(reader)\" sent a response without a status word")
        }
        return Array(response[..<Int(length)])
    }
}
