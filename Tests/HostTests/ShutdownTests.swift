import Foundation
import Testing

/// SIGTERM while certificates are being issued: requests already accepted should be answered,
/// and every certificate recorded should be handed out. Both protocols show open defects,
/// recorded as known issues (each assertion is the wanted behaviour).
@Suite("graceful shutdown under load", .serialized, .enabled(if: APITools.runnable))
struct ShutdownTests {
    /// Open defect: now and then one accepted request gets an empty reply although its
    /// certificate was recorded (curl exit 52; recorded = answered + 1), so in-flight requests do
    /// not all finish yet. Kept as an intermittent known issue until the shutdown path is fixed.
    @Test("SIGTERM mid-load over HTTP/1.1 (known: an accepted request can be cut off)")
    func sigtermOverHTTP1() throws {
        try withKnownIssue("HTTP/1.1: an in-flight request can get an empty reply during graceful shutdown", isIntermittent: true) {
            try sigtermMidLoad(http1Only: true)
        }
    }

    /// Open defect: over HTTP/2 a stream that arrives while the server is shutting down can make
    /// the server trap in Hummingbird's HTTP/2 stream handling ("Deinited NIOAsyncWriter without
    /// calling finish()": the NIOAsyncChannel of a stream nobody will serve is dropped), exit
    /// status 4 (SIGILL).
    @Test("SIGTERM mid-load over HTTP/2 (known: trap on streams opened during shutdown)")
    func sigtermOverHTTP2() throws {
        try withKnownIssue("Hummingbird HTTP/2: NIOAsyncWriter of an unserved stream deinited during shutdown", isIntermittent: true) {
            try sigtermMidLoad(http1Only: false)
        }
    }

    func sigtermMidLoad(http1Only: Bool) throws {
        let ca = try LiveCA()
        defer { ca.stop() }
        let calls = try (0..<48).map { index -> HTTPCall in
            let name = "inflight\(index).example.com"
            let csr = try ca.makeCSR(.p256, commonName: name, sans: [name])
            var call = try HTTPCall.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: try ca.token(subject: name)))
            call.http1Only = http1Only
            return call
        }
        var answers: [HTTPResult] = []
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            answers = (try? ca.sendConcurrently(calls)) ?? []
            group.leave()
        }
        // Shut down as soon as the first certificate is recorded: the rest are in flight.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (Int((try? ca.sqlite("SELECT count(*) FROM x509_certs;")) ?? "") ?? 0) == 0 {
            usleep(5_000)
        }
        ca.requestShutdown()
        group.wait()
        let status = ca.waitForExit()

        #expect(status == 0, "step-ca exited with \(status): \(ca.serverOutput.suffix(2000))")
        #expect(answers.count == calls.count)
        let issued = answers.filter { $0.status == 201 }
        #expect(!issued.isEmpty)
        // Not answered at all is acceptable only for requests the server never took: refused
        // (curl exit 7) or reset in the kernel's accept queue before a TLS session existed (35).
        // A request cut off after it was read (52 empty reply, 56 receive failure) is not.
        for answer in answers where answer.status != 201 {
            #expect(answer.status == 0 && [7, 35].contains(answer.curlExit), "\(answer)")
        }
        let recorded = Int(try ca.sqlite("SELECT count(*) FROM x509_certs;")) ?? -1
        #expect(recorded == issued.count, "recorded \(recorded), answered \(issued.count)")
    }
}
