import Foundation
import Testing

/// SIGTERM while certificates are being issued: every certificate recorded must have been
/// handed out, and every request is either answered or refused in a way the client can retry.
@Suite("graceful shutdown under load", .serialized, .enabled(if: APITools.runnable))
struct ShutdownTests {
    /// Fixed: a request that reached a connection while it was being closed used to be handled
    /// (its certificate recorded) and then left unanswered (curl 52, recorded = answered + 1).
    /// `QuiesceGuard` keeps new connections open for their first request and drops request parts
    /// on connections already closing. Also fixed: a connection accepted in the instant the
    /// listener closed was set up but never served (curl 52 after seconds); it is now closed
    /// before its TLS handshake if shutdown had begun (`ShutdownAwareConnections`), and served
    /// if it was set up before (`ConnectionHandoff`).
    @Test("SIGTERM mid-load over HTTP/1.1: every request is answered or refused before TLS")
    func sigtermOverHTTP1() throws {
        let outcome = try sigtermMidLoad(http1Only: true)
        outcome.expectNothingIssuedUnanswered()
        outcome.expectOnlyUnstartedConnectionsFailed()
    }

    /// Fixed over HTTP/2: the connection closed as its last stream wrote its final frame, before
    /// the frame was flushed, so the answer of a recorded certificate was cut off (curl 18;
    /// `HTTP2FlushBeforeClose`); and a connection accepted as the listener closed made NIO trap
    /// on its first stream, which nobody served (exit status 4; `ShutdownAwareConnections`,
    /// `ConnectionHandoff`).
    ///
    /// Also fixed: curl reported 18 (about 1 run in 14) for a request sent on a connection that
    /// had finished TLS as shutdown began. NIOHTTP2 takes a connection whose server has sent
    /// GOAWAY with no stream open as finished: it refused the client's new stream, which is
    /// right, but it also took the client's SETTINGS acknowledgement as a protocol error, and the
    /// HTTP server's connection manager closed the connection on the stream error too, before
    /// the client could read the refusal (`HTTP2SettingsAckGate`, `HTTP2StreamErrorFilter`,
    /// `LingeringClose`). A refused request is now retried by curl and refused before TLS.
    @Test("SIGTERM mid-load over HTTP/2: every certificate recorded is answered, no trap")
    func sigtermOverHTTP2() throws {
        let outcome = try sigtermMidLoad(http1Only: false)
        outcome.expectNothingIssuedUnanswered()
        outcome.expectOnlyUnstartedConnectionsFailed()
    }

    struct Outcome {
        /// nil: still running a minute after SIGTERM (then killed).
        let exitStatus: Int32?
        let serverOutput: String
        let calls: Int
        let answers: [HTTPResult]
        let recorded: Int

        var issued: [HTTPResult] { answers.filter { $0.status == 201 } }

        /// The server exits cleanly, answers some requests, and every certificate it recorded
        /// was handed out; no request gets an HTTP error.
        func expectNothingIssuedUnanswered() {
            #expect(exitStatus == 0, "step-ca exited with \(exitStatus.map(String.init) ?? "nothing: still running a minute after SIGTERM"): \(serverOutput.suffix(2000))")
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
