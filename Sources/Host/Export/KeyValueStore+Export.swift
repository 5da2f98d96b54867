extension KeyValueStore {
    /// Streams a table like ``forEach(_:_:)``, treating a missing table as an empty one: a
    /// database the CA never wrote to (opened without creating tables) exports nothing.
    func forEachIfPresent(_ table: String, _ visit: @escaping @Sendable ([UInt8], [UInt8]) throws -> Bool) async throws {
        do {
            try await forEach(table, visit)
        } catch let error as DatabaseError where error.code == .notFound {
            return
        }
    }
}
