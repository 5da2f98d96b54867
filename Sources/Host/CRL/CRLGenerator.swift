import Foundation
import StepConfig

/// Makes the CA's CRL and stores it in `x509_crl` (reference §8). Generations are serialised
/// across the whole process — start-up, the periodic renewal, revocations and reloads all share
/// one ``shared`` generator, as the stored record is one per database — and each one reads the
/// previous number, lists `revoked_x509_certs`, signs and stores with a compare-and-swap, so two
/// CA processes on one database never store the same number twice.
final class CRLGenerator: Sendable {
    /// The process's generator.
    static let shared = CRLGenerator()

    private let mutex = AsyncMutex()
    private let clock: @Sendable () -> Date

    init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    /// How many times a store that lost a race with another process is retried.
    static let attempts = 5

    /// Generates and stores a new CRL signed by `authority`'s intermediate.
    @discardableResult
    func generate(_ authority: Authority) async throws -> CRLRecord {
        try await mutex.withLock {
            for _ in 0..<Self.attempts {
                if let record = try await attempt(authority) { return record }
            }
            throw CRLError(.conflict, "table \"\(CRLRecord.table)\" key \"crl\" kept changing while the CRL was generated; another CA process is writing it")
        }
    }

    /// After an X.509 revocation: regenerates when `crl.generateOnRevoke`, as step-ca does.
    func afterRevocation(_ authority: Authority) async throws {
        guard let crl = authority.config.crl, crl.enabled, crl.generateOnRevoke else { return }
        try await generate(authority)
    }

    /// One read–build–swap round; nil when another writer replaced the record meanwhile.
    private func attempt(_ authority: Authority) async throws -> CRLRecord? {
        let database = authority.database
        let config = authority.config.crl ?? CRLConfig(enabled: true)
        let previousBytes: [UInt8]?
        let rows: [(key: [UInt8], value: [UInt8])]
        do {
            previousBytes = try await database.get(CRLRecord.table, CRLRecord.key)
            rows = try await database.list(DatabaseTables.revokedX509Certs)
        } catch let error as DatabaseError {
            throw CRLError(.database, "reading the revoked certificates for the CRL: \(error.message)")
        }
        let previous = try previousBytes.flatMap { $0.isEmpty ? nil : try CRLRecord.decode($0) }
        let now = Int64(floor(clock().timeIntervalSince1970))
        let duration = config.effectiveCacheDuration.nanoseconds
        let contents = CRLBuilder.Contents(
            number: previous.map { $0.number + 1 } ?? 0,
            thisUpdate: now,
            nextUpdate: now + duration / 1_000_000_000,
            entries: try RevokedEntries.entries(rows, now: now),
            distributionPoint: Self.distributionPoint(authority.config))
        let material = authority.runtime.material
        let builder = try CRLBuilder(issuer: material.issuer, signer: CRLSigner(key: material.signingKey))
        let der = try await builder.build(contents)
        let record = CRLRecord(number: contents.number, expiresAt: contents.nextUpdate, durationNanoseconds: duration, der: der)
        do {
            let swap = try await database.compareAndSwap(CRLRecord.table, CRLRecord.key, old: previousBytes ?? [], new: record.encoded())
            return swap.swapped ? record : nil
        } catch let error as DatabaseError {
            throw CRLError(.database, "storing the CRL in table \"\(CRLRecord.table)\": \(error.message)")
        }
    }

    /// The IssuingDistributionPoint URI: `crl.idpURL`, else `https://<dnsNames[0]>/1.0/crl`
    /// (no port, IPv6 literals bracketed), else step-ca's bare `/1.0/crl`.
    static func distributionPoint(_ config: CAConfig) -> String {
        if let url = config.crl?.idpURL, !url.isEmpty { return url }
        guard let name = config.dnsNames.first else { return "/1.0/crl" }
        let host = name.contains(":") && !name.hasPrefix("[") ? "[\(name)]" : name
        return "https://\(host)/1.0/crl"
    }
}
