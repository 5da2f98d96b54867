import Foundation
import Testing
@testable import Host

/// Signature latency through the cloud KMS plugins against their emulators, at concurrency 1
/// and 16, through the host's ``KeyManagerPlugin`` (the C ABI with `sign_async`, as the CA signs).
/// Opt-in (`STEPCA_KMS_BENCH=1`): it prints numbers and asserts only that every signature verifies.
enum KMSLatencyBenchmark {
    static var enabled: Bool { ProcessInfo.processInfo.environment["STEPCA_KMS_BENCH"] == "1" }

    struct Result: CustomStringConvertible {
        let concurrency: Int
        let signatures: Int
        let seconds: Double
        let latencies: [Double]

        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        var mean: Double { latencies.reduce(0, +) / Double(latencies.count) }
        var description: String {
            String(format: "C=%d: %d signatures in %.2f s, %.0f/s; latency mean %.2f ms, p50 %.2f ms, p99 %.2f ms",
                   concurrency, signatures, seconds, Double(signatures) / seconds,
                   mean * 1000, percentile(0.5) * 1000, percentile(0.99) * 1000)
        }
    }

    /// Signs `perTask` digests in each of `concurrency` tasks after a warm-up; every signature is verified.
    static func measure(_ kms: KeyManagerPlugin, key: String, algorithm: KMSSignatureAlgorithm,
                        concurrency: Int, perTask: Int) async throws -> Result {
        let verifier = try KMSVerifyingKey(spki: try await kms.publicKey(name: key))
        for _ in 0..<3 { #expect(try await signAndVerify(kms, key: key, with: verifier, algorithm: algorithm)) }
        let message = randomBytes(100)
        let digest = kmsDigest(message, for: algorithm)
        let start = DispatchTime.now().uptimeNanoseconds
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var own: [Double] = []
                    for _ in 0..<perTask {
                        let begin = DispatchTime.now().uptimeNanoseconds
                        let signature = try await kms.sign(key: key, algorithm: algorithm, digest: digest)
                        own.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
                        #expect(verifier.verifies(signature, message: message, algorithm: algorithm))
                    }
                    return own
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(concurrency: concurrency, signatures: latencies.count, seconds: seconds, latencies: latencies)
    }
}

@Suite("GCPKMS benchmark: signature latency through the plugin (STEPCA_KMS_BENCH=1)",
       .enabled(if: KMSLatencyBenchmark.enabled && GCPKMSFake.enabled), .serialized)
struct GCPKMSBenchmarkTests {
    @Test("cloudkms on the Cloud KMS test server, P-256, C=1 and C=16")
    func latency() async throws {
        let fake = try sharedGCPKMSFake()
        let kms = try await openGCPKMS(fake.config())
        for (concurrency, perTask) in [(1, 100), (16, 25)] {
            let result = try await KMSLatencyBenchmark.measure(kms, key: fake.ecKey, algorithm: .ecdsaSHA256,
                                                               concurrency: concurrency, perTask: perTask)
            print("kms-bench cloudkms (gcpkms_fake.py) \(result)")
        }
        await kms.close()
    }
}
