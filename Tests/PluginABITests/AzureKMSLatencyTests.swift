import Foundation
import Testing
@testable import Host

/// Signature latency through the azurekms plugin (host adapter, `sign_async`, HTTPS, the Python
/// test server) at concurrency 1 and 16. Opt-in (`STEPCA_AZUREKMS_BENCH=1`): it prints numbers
/// and asserts only that every signature verifies, never a time.
@Suite("AzureKMS latency (opt-in)", .enabled(if: AzureKVFake.benchEnabled), .serialized)
struct AzureKMSLatencyTests {
    @Test("ES256 signatures at C=1 and C=16: median and p95 per signature, signatures per second")
    func latency() async throws {
        let fake = try AzureKVFake()
        defer { fake.stop() }
        try await withTimeLimit(300, "latency measurement") {
            let kms = try await openAzureKMS(fake.config())
            defer { Task { await kms.close() } }
            let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: fake.ecKey))
            _ = try await kms.sign(key: fake.ecKey, algorithm: .ecdsaSHA256, digest: randomBytes(32))  // token, connection
            for concurrency in [1, 16] {
                let perTask = concurrency == 1 ? 200 : 25
                let start = Date()
                let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for _ in 0..<concurrency {
                        group.addTask {
                            var times: [Double] = []
                            for _ in 0..<perTask {
                                let message = randomBytes(64)
                                let begin = Date()
                                let signature = try await kms.sign(key: fake.ecKey, algorithm: .ecdsaSHA256,
                                                                   digest: kmsDigest(message, for: .ecdsaSHA256))
                                times.append(Date().timeIntervalSince(begin))
                                #expect(verifier.verifies(signature, message: message, algorithm: .ecdsaSHA256))
                            }
                            return times
                        }
                    }
                    return try await group.reduce(into: [Double]()) { $0 += $1 }
                }
                let wall = Date().timeIntervalSince(start)
                let sorted = samples.sorted()
                let median = sorted[sorted.count / 2] * 1000
                let p95 = sorted[min(sorted.count - 1, sorted.count * 95 / 100)] * 1000
                print(String(format: "azurekms latency C=%d: %d signatures, median %.2f ms, p95 %.2f ms, %.0f signatures/s",
                             concurrency, sorted.count, median, p95, Double(sorted.count) / wall))
                #expect(sorted.count == concurrency * perTask)
            }
        }
    }
}
