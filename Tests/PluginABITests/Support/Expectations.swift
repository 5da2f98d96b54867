import Foundation
import Testing
@testable import Host

/// Expects `body` to throw a ``DatabaseError`` with `code`; for a plugin store, also expects the
/// message to name the plugin. Returns the error for further checks.
@discardableResult
func expectDatabaseError(_ code: DatabaseError.Code, from opened: OpenedStore,
                         sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () async throws -> Void) async -> DatabaseError? {
    let error = await #expect(throws: DatabaseError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.code == code, "got \(error.map { "\($0.code.rawValue): \($0.message)" } ?? "no error")",
            sourceLocation: sourceLocation)
    opened.expectNamesPlugin(error, sourceLocation: sourceLocation)
    return error
}

/// A listing as a dictionary (keys are unique in a table).
func entries(_ listing: [(key: [UInt8], value: [UInt8])]) -> [[UInt8]: [UInt8]] {
    Dictionary(listing.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
}

/// `count` bytes from the kernel's random source (fast even in debug builds).
func randomBytes(_ count: Int) -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: "/dev/urandom") else {
        return (0..<count).map { _ in UInt8.random(in: 0...255) }
    }
    defer { try? handle.close() }
    var bytes = [UInt8](handle.readData(ofLength: count))
    while bytes.count < count { bytes.append(UInt8.random(in: 0...255)) }
    return bytes
}
