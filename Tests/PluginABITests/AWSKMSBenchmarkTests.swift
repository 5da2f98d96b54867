import Foundation
import Testing
@testable import Host

@Suite("AWSKMS benchmark: signature latency through the plugin (STEPCA_KMS_BENCH=1)",
       .enabled(if: KMSLatencyBenchmark.enabled && AWSKMSMoto.enabled), .serialized)
struct AWSKMSBenchmarkTests {
    @Test("awskms on moto (SigV4 checked), P-256, C=1 and C=16")
    func latency() async throws {
        let plugin = try PluginLoader(directories: [TestEnvironment.swiftPluginDirectory()]).load(kind: .keyManagement, type: "awskms")
        let kms = try await KeyManagerPlugin.open(plugin: plugin, configJSON: AWSKMSMoto.pluginConfigJSON())
        let key = try #require(try AWSKMSMoto.sharedKeys().first).name
        for (concurrency, perTask) in [(1, 100), (16, 25)] {
            let result = try await KMSLatencyBenchmark.measure(kms, key: key, algorithm: .ecdsaSHA256,
                                                               concurrency: concurrency, perTask: perTask)
            print("kms-bench awskms (moto) \(result)")
        }
        await kms.close()
    }
}
