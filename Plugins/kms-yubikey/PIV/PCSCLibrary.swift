#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PluginKit

/// libpcsclite's entry points, resolved at run time with dlopen so that nothing links the
/// library: a host without pcscd still loads every other plugin.
///
/// Types follow pcsclite's `wintypes.h` on Linux: `LONG` is `long`, `DWORD` is `unsigned long`,
/// `SCARDCONTEXT`/`SCARDHANDLE` are `LONG`.
final class PCSCLibrary: @unchecked Sendable {
    typealias EstablishContext = @convention(c) (UInt, UnsafeRawPointer?, UnsafeRawPointer?, UnsafeMutablePointer<Int>?) -> Int
    typealias ReleaseContext = @convention(c) (Int) -> Int
    typealias ListReaders = @convention(c) (Int, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<UInt>?) -> Int
    typealias Connect = @convention(c) (Int, UnsafePointer<CChar>?, UInt, UInt, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<UInt>?) -> Int
    typealias Reconnect = @convention(c) (Int, UInt, UInt, UInt, UnsafeMutablePointer<UInt>?) -> Int
    typealias Disconnect = @convention(c) (Int, UInt) -> Int
    typealias BeginTransaction = @convention(c) (Int) -> Int
    typealias EndTransaction = @convention(c) (Int, UInt) -> Int
    typealias Transmit = @convention(c) (Int, UnsafeRawPointer?, UnsafePointer<UInt8>?, UInt, UnsafeMutableRawPointer?,
                                         UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?) -> Int

    let establishContext: EstablishContext
    let releaseContext: ReleaseContext
    let listReaders: ListReaders
    let connect: Connect
    let reconnect: Reconnect
    let disconnect: Disconnect
    let beginTransaction: BeginTransaction
    let endTransaction: EndTransaction
    let transmit: Transmit

    /// The library file names tried in order (the versioned name first: the unversioned one
    /// only exists with the -dev package).
    static let candidates = ["libpcsclite.so.1", "libpcsclite.so"]

    private static let loadLock = Lock()
    nonisolated(unsafe) private static var loaded: PCSCLibrary?

    /// The process-wide library, loaded on first use. `path` (or `$STEPCA_PCSCLITE`) overrides
    /// the file to load.
    static func shared(path: String? = nil) throws -> PCSCLibrary {
        try loadLock.withLock {
            if let loaded { return loaded }
            let library = try PCSCLibrary(path: path ?? getenv("STEPCA_PCSCLITE").map { String(cString: $0) })
            loaded = library
            return library
        }
    }

    private init(path: String?) throws {
        var handle: UnsafeMutableRawPointer?
        var failures: [String] = []
        for name in path.map({ [$0] }) ?? Self.candidates {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            failures.append(dlerror().map { String(cString: $0) } ?? name)
        }
        guard let handle else {
            throw PluginError.unavailable("cannot load the PC/SC library (install libpcsclite1 and pcscd): \(failures.joined(separator: "; "))")
        }
        func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let address = dlsym(handle, name) else {
                throw PluginError.unavailable("the PC/SC library lacks \(name)")
            }
            return unsafeBitCast(address, to: type)
        }
        establishContext = try symbol("SCardEstablishContext", EstablishContext.self)
        releaseContext = try symbol("SCardReleaseContext", ReleaseContext.self)
        listReaders = try symbol("SCardListReaders", ListReaders.self)
        connect = try symbol("SCardConnect", Connect.self)
        reconnect = try symbol("SCardReconnect", Reconnect.self)
        disconnect = try symbol("SCardDisconnect", Disconnect.self)
        beginTransaction = try symbol("SCardBeginTransaction", BeginTransaction.self)
        endTransaction = try symbol("SCardEndTransaction", EndTransaction.self)
        transmit = try symbol("SCardTransmit", Transmit.self)
    }
}

/// PC/SC constants and status codes used here (pcsclite's `pcsclite.h`).
enum PCSC {
    static let scopeSystem: UInt = 2
    static let shareShared: UInt = 2
    static let protocolT0: UInt = 1
    static let protocolT1: UInt = 2
    static let leaveCard: UInt = 0
    static let resetCard: UInt = 1

    static let success = 0
    static let noService = 0x8010_001D
    static let noReadersAvailable = 0x8010_002E
    static let noSmartcard = 0x8010_000C
    static let readerUnavailable = 0x8010_0017
    static let sharingViolation = 0x8010_000B
    static let invalidHandle = 0x8010_0003
    static let resetCardWarning = 0x8010_0068
    static let removedCard = 0x8010_0069
    static let unpoweredCard = 0x8010_0067
    static let unresponsiveCard = 0x8010_0066
    static let serviceStopped = 0x8010_001E
    static let timeout = 0x8010_000A

    /// A status code with its pcsclite name.
    static func describe(_ code: Int) -> String {
        let names: [Int: String] = [
            noService: "SCARD_E_NO_SERVICE (pcscd is not running)",
            noReadersAvailable: "SCARD_E_NO_READERS_AVAILABLE",
            noSmartcard: "SCARD_E_NO_SMARTCARD",
            readerUnavailable: "SCARD_E_READER_UNAVAILABLE",
            sharingViolation: "SCARD_E_SHARING_VIOLATION",
            invalidHandle: "SCARD_E_INVALID_HANDLE",
            resetCardWarning: "SCARD_W_RESET_CARD",
            removedCard: "SCARD_W_REMOVED_CARD",
            unpoweredCard: "SCARD_W_UNPOWERED_CARD",
            unresponsiveCard: "SCARD_W_UNRESPONSIVE_CARD",
            serviceStopped: "SCARD_E_SERVICE_STOPPED",
            timeout: "SCARD_E_TIMEOUT",
        ]
        let hex = "0x" + String(code, radix: 16, uppercase: true)
        return names[code].map { "\($0) (\(hex))" } ?? hex
    }

    /// Whether a failed call may succeed after reconnecting to the card.
    static func needsReconnect(_ code: Int) -> Bool {
        [resetCardWarning, removedCard, unpoweredCard, invalidHandle, serviceStopped, noService].contains(code)
    }
}
