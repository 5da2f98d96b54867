import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import StepConfig
import StepCrypto
@testable import Host

/// The CRL pieces in-process: time and integer encodings, row selection, the stored record, the
/// generator over an in-memory store, the mutex and the schedule.
@Suite("CRL units")
struct CRLUnitTests {
    @Test("Go JSON times: fraction and offsets; invalid text refused")
    func rfc3339() {
        #expect(CRLTime.parseRFC3339("1970-01-01T00:00:00Z")! == (0, 0))
        #expect(CRLTime.parseRFC3339("2026-11-29T04:38:12.5Z")! == (1_795_927_092, 500_000_000))
        #expect(CRLTime.parseRFC3339("2026-11-29T05:38:12.123456789+01:00")! == (1_795_927_092, 123_456_789))
        #expect(CRLTime.parseRFC3339("0001-01-01T00:00:00Z")!.seconds == CRLTime.goZeroSeconds)
        for bad in ["", "2026-11-29", "2026-11-29T04:38:12", "2026-13-01T00:00:00Z", "2026-11-29T04:38:12.Z", "x026-11-29T04:38:12Z"] {
            #expect(CRLTime.parseRFC3339(bad) == nil, "\(bad)")
        }
    }

    @Test("RFC 1123 as Go prints a UTC time")
    func rfc1123() {
        #expect(CRLTime.rfc1123(0) == "Thu, 01 Jan 1970 00:00:00 UTC")
        #expect(CRLTime.rfc1123(1_795_927_092) == "Sun, 29 Nov 2026 04:38:12 UTC")
    }

    @Test("ASN.1 times: UTCTime before 2050, GeneralizedTime from 2050")
    func asn1Time() throws {
        var coder = DER.Serializer()
        try CRLTime.serializeASN1(1_795_927_092, into: &coder)
        #expect(coder.serializedBytes == [0x17, 13] + Array("261129043812Z".utf8))
        coder = DER.Serializer()
        try CRLTime.serializeASN1(2_524_608_000, into: &coder)  // 2050-01-01
        #expect(coder.serializedBytes == [0x18, 15] + Array("20500101000000Z".utf8))
    }

    @Test("decimal serials become minimal DER INTEGER content", arguments: [
        ("0", [0x00]), ("127", [0x7f]), ("128", [0x00, 0x80]), ("256", [0x01, 0x00]),
        ("46057023365109592823421085204112173891", [0x22, 0xa6, 0x42, 0x92, 0x4c, 0x20, 0x76, 0x02, 0xe8, 0x1e, 0x86, 0x0f, 0x24, 0xc3, 0x6b, 0x43]),
    ] as [(String, [UInt8])])
    func integerBytes(decimal: String, bytes: [UInt8]) {
        #expect(RevokedEntries.integerBytes(decimal: decimal) == bytes)
    }

    @Test("rows: expired more than an hour ago left out, zero expiry kept, reason codes carried, bad rows refused")
    func rows() throws {
        let now: Int64 = 1_795_927_092
        func row(_ serial: String, expires: String, reason: Int = 0) -> (key: [UInt8], value: [UInt8]) {
            (Array(serial.utf8), Array("""
                {"Serial":"\(serial)","ProvisionerID":"p","ReasonCode":\(reason),"Reason":"","RevokedAt":"2026-11-29T04:00:00.123Z","ExpiresAt":"\(expires)","TokenID":"","MTLS":false,"ACME":false}
                """.utf8))
        }
        let entries = try RevokedEntries.entries([
            row("1", expires: "2026-11-29T02:38:11Z"),         // 2 h ago: dropped
            row("2", expires: "2026-11-29T03:38:12Z", reason: 5), // exactly 1 h ago: kept
            row("3", expires: "0001-01-01T00:00:00Z"),          // unknown: kept
            row("4", expires: "2026-11-30T00:00:00Z", reason: 1),
        ], now: now)
        #expect(entries.map(\.serial) == [[2], [3], [4]])
        #expect(entries.map(\.reasonCode) == [5, 0, 1])
        #expect(entries.allSatisfy { $0.revokedAt == 1_795_924_800 })
        #expect(throws: CRLError.self) { try RevokedEntries.entry(key: Array("9".utf8), value: Array("{".utf8), now: now) }
        #expect(throws: CRLError.self) { try RevokedEntries.entry(key: Array("9".utf8), value: Array(#"{"Serial":"0x9"}"#.utf8), now: now) }
    }

    @Test("the x509_crl record: step-ca's JSON and back")
    func record() throws {
        let record = CRLRecord(number: 7, expiresAt: 1_795_927_092, durationNanoseconds: 86_400_000_000_000, der: [0x30, 0x00])
        let text = String(decoding: record.encoded(), as: UTF8.self)
        #expect(text == #"{"Number":7,"ExpiresAt":"2026-11-29T04:38:12Z","Duration":86400000000000,"DER":"MAA="}"#)
        #expect(try CRLRecord.decode(record.encoded()) == record)
        #expect(throws: CRLError.self) { try CRLRecord.decode(Array("[]".utf8)) }
    }

    @Test("?pem: any query key named pem")
    func pemQuery() {
        for query in ["pem", "pem=", "pem=0", "a=1&pem", "p%65m=1"] { #expect(CRLHandlers.wantsPEM(query), "\(query)") }
        for query in [nil, "", "pemx", "x=pem", "a=1"] as [String?] { #expect(!CRLHandlers.wantsPEM(query), "\(query ?? "nil")") }
    }

    @Test("the IDP URI: idpURL, else https://<first dnsName>/1.0/crl without port, IPv6 bracketed, else /1.0/crl")
    func distributionPoint() {
        #expect(CRLGenerator.distributionPoint(CAConfig(address: ":9000", dnsNames: ["ca.example.com", "x"])) == "https://ca.example.com/1.0/crl")
        #expect(CRLGenerator.distributionPoint(CAConfig(address: ":9000", dnsNames: ["::1"])) == "https://[::1]/1.0/crl")
        #expect(CRLGenerator.distributionPoint(CAConfig(address: ":9000", dnsNames: [])) == "/1.0/crl")
        #expect(CRLGenerator.distributionPoint(CAConfig(address: ":9000", crl: CRLConfig(enabled: true, idpURL: "http://c/x.crl"))) == "http://c/x.crl")
    }

    /// An authority over a fresh in-memory store, with a P-256 intermediate made here.
    func authority(crl: CRLConfig) async throws -> (Authority, Certificate, InMemoryStore) {
        let rootKey = PrivateKeyMaterial.p256(.init())
        let key = PrivateKeyMaterial.p256(.init())
        let root = try CertificateFactory.makeRoot(name: "Unit", key: rootKey, validity: 86_400)
        let intermediate = try CertificateFactory.makeIntermediate(name: "Unit", key: key, root: root, rootKey: rootKey, validity: 86_400)
        let store = InMemoryStore()
        for table in DatabaseTables.core { try await store.createTable(table) }
        let config = CAConfig(address: "127.0.0.1:0", dnsNames: ["ca.example.com"], crl: crl)
        let runtime = CARuntime(config: config, configPath: "ca.json",
                                material: CAMaterial(roots: [root], federatedRoots: [], intermediates: [intermediate], signingKey: CASigningKey(file: key, path: "unit")),
                                database: store, password: nil)
        return (try Authority(runtime: runtime), intermediate, store)
    }

    @Test("the generator: number 0 then +1, entries from the table, signed by the intermediate, stored")
    func generator() async throws {
        let (authority, intermediate, store) = try await authority(crl: CRLConfig(enabled: true, cacheDuration: .hours(2)))
        let generator = CRLGenerator()
        let first = try await generator.generate(authority)
        #expect(first.number == 0)
        #expect(first.durationNanoseconds == 7_200_000_000_000)
        try await store.set(DatabaseTables.revokedX509Certs, Array("300".utf8), Array(#"{"Serial":"300","ReasonCode":3,"RevokedAt":"2026-01-01T00:00:00Z","ExpiresAt":"0001-01-01T00:00:00Z"}"#.utf8))
        let second = try await generator.generate(authority)
        #expect(second.number == 1)
        #expect(try await store.get(CRLRecord.table, CRLRecord.key) == second.encoded())

        // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
        let root = try DER.parse(second.der)
        guard case .constructed(let parts) = root.content else { Issue.record("not a SEQUENCE"); return }
        let nodes = Array(parts)
        #expect(nodes.count == 3)
        guard case .constructed(let tbsParts) = nodes[0].content else { Issue.record("no TBSCertList"); return }
        let tbs = Array(tbsParts)
        // version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] extensions
        #expect(tbs.count == 7)
        #expect(Array(tbs[2].encodedBytes) == (try CRLBuilder.rawSubject(of: intermediate)))
        guard case .constructed(let revoked) = tbs[5].content, case .constructed(let entryParts) = Array(revoked)[0].content else {
            Issue.record("no revoked entry"); return
        }
        let entry = Array(entryParts)
        #expect(Array(entry[0].encodedBytes) == [0x02, 0x02, 0x01, 0x2c])  // 300
        #expect(entry.count == 3)  // serial, date, reasonCode extension

        let bitString = try ASN1BitString(derEncoded: nodes[2])
        let signature = try P256.Signing.ECDSASignature(derRepresentation: bitString.bytes)
        let publicKey = try #require(P256.Signing.PublicKey(intermediate.publicKey))
        #expect(publicKey.isValidSignature(signature, for: SHA256.hash(data: nodes[0].encodedBytes)))
    }

    @Test("the mutex runs one body at a time, in arrival order of the waiters")
    func mutex() async {
        let mutex = AsyncMutex()
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await mutex.withLock {
                        await counter.enter()
                        try? await Task.sleep(for: .milliseconds(2))
                        await counter.leave()
                    }
                }
            }
        }
        #expect(await counter.maximum == 1)
        #expect(await counter.total == 20)
    }

    actor Counter {
        var inside = 0, maximum = 0, total = 0
        func enter() { inside += 1; total += 1; maximum = max(maximum, inside) }
        func leave() { inside -= 1 }
    }

    @Test("the schedule ticks each period, a restart wakes a waiter, no period never ticks")
    func schedule() async {
        let schedule = CRLSchedule()
        schedule.restart(period: .milliseconds(50))
        let started = ContinuousClock.now
        #expect(await schedule.wait())
        #expect(await schedule.wait())
        #expect(ContinuousClock.now - started >= .milliseconds(100))

        schedule.restart(period: nil)
        async let waited = schedule.wait()
        try? await Task.sleep(for: .milliseconds(50))
        schedule.restart(period: .seconds(3600))
        #expect(await waited == false)

        let cancelled = Task { await schedule.wait() }
        try? await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == false)
    }
}
