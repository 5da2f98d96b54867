import Foundation

/// What one export did.
struct ExportSummary: Sendable, Equatable {
    /// Entries read from `x509_certs`.
    var scanned = 0
    /// Records written (after the filters).
    var written = 0
    /// Entries whose certificate could not be parsed (all written, with `error` set).
    var unreadable = 0
    /// Entries that passed through the spill file (see ``ListingQueue``).
    var spilled = 0
}

/// Streams `x509_certs` into records and writes those the filter admits.
///
/// Memory does not grow with the number of certificates: revocations are loaded first (they are
/// few, see ``RevocationIndex``); then the certificates are listed through a bounded
/// ``ListingQueue``; the consumer takes up to ``lookupBatch`` entries at a time, looks up their
/// `x509_certs_data` values and parses their certificates concurrently (plain `get`s, off the
/// listing thread), and formats each record into the fixed-size buffer of ``ExportOutput``. Records come out in the
/// database's listing order, which is unspecified.
struct CertificateExporter: Sendable {
    let store: any KeyValueStore
    let filter: ExportFilter
    let format: ExportFormat
    /// The time that decides `active` versus `expired`.
    let now: Date
    /// Entries the queue holds in memory.
    var queueCapacity = 256
    /// Entries looked up and parsed at once.
    var lookupBatch = 32
    /// See ``ListingQueue``: used for plugins that serve calls during a listing.
    var stallTimeout: TimeInterval = 5
    /// Told about each unreadable certificate (serial, reason), as it is met.
    var onUnreadable: @Sendable (String, String) -> Void = { _, _ in }

    func run(to output: ExportOutput) async throws -> ExportSummary {
        let revocations = try await RevocationIndex.load(from: store)
        let reader = CertificateRecordReader(now: now)
        let formatter = format.formatter
        let queue = ListingQueue(capacity: queueCapacity, stallTimeout: store.servesCallsDuringListing ? stallTimeout : nil)
        try output.append { $0.append(contentsOf: formatter.header) }
        let store = self.store
        var summary = try await withThrowingTaskGroup(of: Void.self, returning: ExportSummary.self) { group in
            group.addTask {
                do {
                    try await store.forEachIfPresent(DatabaseTables.x509Certs) { key, value in try queue.push(key, value) }
                    queue.finish(nil)
                } catch {
                    queue.finish(error)
                }
            }
            var summary = ExportSummary()
            do {
                var batch: [ListingQueue.Row] = []
                batch.reserveCapacity(lookupBatch)
                while let first = try await queue.next() {
                    batch.append(first)
                    while batch.count < lookupBatch, let more = try queue.nextIfReady() { batch.append(more) }
                    for record in try await records(batch, reader: reader, revocations: revocations) {
                        summary.scanned += 1
                        if let error = record.error {
                            summary.unreadable += 1
                            onUnreadable(record.serial, error)
                        }
                        guard filter.admits(record) else { continue }
                        summary.written += 1
                        try output.append { formatter.append(record, to: &$0) }
                    }
                    batch.removeAll(keepingCapacity: true)
                }
            } catch {
                queue.cancel()
                throw error
            }
            try await group.waitForAll()
            return summary
        }
        try output.commit()
        summary.spilled = queue.spilledTotal
        return summary
    }

    /// The records of a batch, in batch order. Each entry's `x509_certs_data` lookup and
    /// certificate parsing run concurrently with the others' (the parsing thus uses every core).
    private func records(_ batch: [ListingQueue.Row], reader: CertificateRecordReader,
                         revocations: RevocationIndex) async throws -> [ExportRecord] {
        let store = self.store
        return try await withThrowingTaskGroup(of: (Int, ExportRecord).self) { group in
            for (index, row) in batch.enumerated() {
                group.addTask {
                    let data = try await store.get(DatabaseTables.x509CertsData, row.key)
                    let serial = String(decoding: row.key, as: UTF8.self)
                    return (index, reader.record(serial: row.key, der: row.value, data: data,
                                                 revocation: revocations.revocation(serial: serial)))
                }
            }
            var records = [ExportRecord?](repeating: nil, count: batch.count)
            for try await (index, record) in group { records[index] = record }
            return records.map { $0! }
        }
    }
}
