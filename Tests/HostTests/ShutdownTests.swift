import Foundation
import Testing

/// SIGTERM while certificates are being issued: every certificate recorded must have been
/// handed out, and requests already accepted should be answered. The remaining open defects are
/// recorded as known issues (each assertion is the wanted behaviour).
@Suite("graceful shutdown under load", .serialized, .enabled(if: APITools.runnable))
struct ShutdownTests {
    /// Fixed: a request that reached a connection while it was being closed used to be handled
    /// (its certificate recorded) and then left unanswered (curl 52, recorded = answered + 1).
    /// `QuiesceGuard` keeps new connections open for their first request and drops request parts
    /// on connections already closing, so that is now asserted strictly.
    ///
    /// Open defect: a connection accepted in the same instant the listener closes completes its
    /// TLS handshake but is never handed to a request handler by the HTTP server (the server's
    /// accept loop has already ended, so nobody reads its request); it is closed after a few
    /// seconds without an answer (curl 52). Nothing is issued for it, but the wanted behaviour is
    /// that it is served or refused before TLS, so that stays a known issue.
    @Test("SIGTERM mid-load over HTTP/1.1: no certificate is recorded without its answer")
    func sigtermOverHTTP1() throws {
        let outcome = try sigtermMidLoad(http1Only: true)
        outcome.expectNothingIssuedUnanswered()
        withKnownIssue("HTTP/1.1: a connection accepted as the listener closes is never served", isIntermittent: true) {
            outcome.expectOnlyUnstartedConnectionsFailed()
        }
    }

    /// Open defect: over HTTP/2 a stream that arrives while the server is shutting down can make
    /// the server trap in Hummingbird's HTTP/2 stream handling ("Deinited NIOAsyncWriter without
    /// calling finish()": the NIOAsyncChannel of a stream nobody will serve is dropped), exit
    /// status 4 (SIGILL).
    @Test("SIGTERM mid-load over HTTP/2 (known: trap on streams opened during shutdown)")
    func sigtermOverHTTP2() throws {
        try withKnownIssue("Hummingbird HTTP/2: NIOAsyncWriter of an unserved stream deinited during shutdown", isIntermittent: true) {
            let outcome = try sigtermMidLoad(http1Only: false)
            outcome.expectNothingIssuedUnanswered()
            outcome.expectOnlyUnstartedConnectionsFailed()
        }
    }

    struct Outcome {
        let exitStatus: Int32
        let serverOutput: String
        let calls: Int
        let answers: [HTTPResult]
        let recorded: Int

        var issued: [HTTPResult] { answers.filter { $0.status == 201 } }

        /// The server exits cleanly, answers some requests, and every certificate it recorded
        /// was handed out; no request gets an HTTP error.
        func expectNothingIssuedUnanswered() {
            #expect(exitStatus == 0, "step-ca exited with \(exitStatus): \(serverOutput.suffix(2000))")
            #expect(answers.count == calls)
            #expect(!issued.isEmpty)
            #expect(recorded == issued.count, "recorded \(recorded), answered \(issued.count)")
            for answer in answers where answer.status != 201 {
                #expect(answer.status == 0, "\(answer)")
            }
        }

        /// Not answered at all is acceptable only for requests the server never took: refused
        /// (curl exit 7) or reset in the kernel's accept queue before a TLS session existed (35).
        /// A connection closed after its TLS handshake (52 empty reply, 56 receive failure) is not.
        func expectOnlyUnstartedConnectionsFailed() {
            for answer in answers where answer.status != 201 {
                #expect(answer.status == 0 && [7, 35].contains(answer.curlExit), "\(answer)")
            }
        }
    }

    func sigtermMidLoad(http1Only: Bool) throws -> Outcome {
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
        let recorded = Int(try ca.sqlite("SELECT count(*) FROM x509_certs;")) ?? -1
        return Outcome(exitStatus: status, serverOutput: ca.serverOutput, calls: calls.count, answers: answers, recorded: recorded)
    }
}
