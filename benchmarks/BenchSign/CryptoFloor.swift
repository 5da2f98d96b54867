import Crypto
import Foundation

/// The ECDSA work the server cannot avoid per certificate, timed on this machine with the same
/// library the server uses: the token's ES256 signature and the CSR's signature are verified, and
/// the certificate is signed (P-256 intermediate). Single-threaded, so it is CPU time per core.
struct CryptoFloor {
    let verifySeconds: Double
    let signSeconds: Double

    /// Server CPU per certificate spent in these three operations alone.
    var perCertificateSeconds: Double { 2 * verifySeconds + signSeconds }

    static func measure(iterations: Int = 2000) -> CryptoFloor {
        let key = P256.Signing.PrivateKey()
        let message = Data(repeating: 0x5a, count: 300)
        let signature = try! key.signature(for: message)
        var valid = 0
        let verifyStart = ContinuousClock.now
        for _ in 0..<iterations where key.publicKey.isValidSignature(signature, for: message) { valid += 1 }
        let verify = seconds(ContinuousClock.now - verifyStart) / Double(iterations)
        precondition(valid == iterations)
        let signStart = ContinuousClock.now
        for _ in 0..<iterations { _ = try! key.signature(for: message) }
        let sign = seconds(ContinuousClock.now - signStart) / Double(iterations)
        return CryptoFloor(verifySeconds: verify, signSeconds: sign)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// One line for the report: the per-operation costs and the throughput they alone allow on
    /// every core of this machine.
    var summary: String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return String(format: "P-256 on this machine: verify %.0f µs, sign %.0f µs; two verifies and a sign = %.3f ms of server CPU per certificate, at most %.0f certs/s on %d cores with nothing else running",
                      verifySeconds * 1e6, signSeconds * 1e6, perCertificateSeconds * 1000,
                      Double(cores) / perCertificateSeconds, cores)
    }
}
