import Foundation
import Testing

/// SIGHUP with CRLs: the reloaded configuration generates the next CRL at once (as step-ca's new
/// authority does), the plain-HTTP listener keeps serving with the new authority, and turning
/// CRLs off answers 404 there too.
@Suite("CRL reload", .serialized, .enabled(if: APITools.runnable))
struct CRLReloadTests {
    @Test("SIGHUP regenerates the CRL with the new idpURL; disabling CRLs makes both listeners answer 404")
    func reload() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try LiveCA.fixtureStepPath(in: directory, sortedConfig: false, adjust: CRLLive.editing { config in
            config["crl"] = ["enabled": true, "cacheDuration": "2h", "renewPeriod": "90m"]
            config["insecureAddress"] = "127.0.0.1:0"
        })
        let configURL = stepPath.appendingPathComponent("config/ca.json")
        let databasePath = stepPath.appendingPathComponent("db/ca.db").path
        let intermediatePath = stepPath.appendingPathComponent("certs/intermediate_ca.crt").path
        let scratch = directory.appendingPathComponent("scratch").path
        let server = try ServerProcess(
            arguments: [configURL.path, "--password-file", TestEnvironment.fixtures.appendingPathComponent("password.txt").path],
            environment: ["STEPPATH": stepPath.path])
        defer { server.stop() }
        let port = try CRLLive.insecurePort(output: { server.output })
        #expect(try CRLLive.storedRecord(databasePath: databasePath)?.json["Number"] as? Int == 0)

        try edit(configURL) { config in
            config["crl"] = ["enabled": true, "cacheDuration": "2h", "renewPeriod": "90m",
                             "idpURL": "http://crl.example.com/intermediate.crl"]
        }
        kill(server.process.processIdentifier, SIGHUP)
        try waitFor(server) { server.output.components(separatedBy: "Reloaded the configuration").count == 2 }
        #expect(try CRLLive.storedRecord(databasePath: databasePath)?.json["Number"] as? Int == 1)
        let served = try CRLLive.send(scratch: scratch, port: port, "/crl")
        #expect(served.status == 200, "\(served)")
        if let facts = try CRLInspector.inspect(der: served.body, issuerPEMPath: intermediatePath, scratch: scratch) {
            #expect(facts.number == 1)
            #expect(facts.signatureValid)
            #expect(facts.distributionPointURIs == ["http://crl.example.com/intermediate.crl"])
        }

        try edit(configURL) { config in config["crl"] = ["enabled": false] }
        kill(server.process.processIdentifier, SIGHUP)
        try waitFor(server) { server.output.components(separatedBy: "Reloaded the configuration").count == 3 }
        #expect(server.output.contains("insecureAddress: the plain-HTTP listener changes at the next start"), "\(server.output)")
        let disabled = try CRLLive.send(scratch: scratch, port: port, "/crl")
        #expect(disabled.status == 404, "\(disabled)")
        #expect(disabled.text == StepMessages.body(status: 404, message: "The certificate authority received an unexpected HTTP status code - '404'. Please see the certificate authority logs for more info."))
        #expect(try CRLLive.storedRecord(databasePath: databasePath)?.json["Number"] as? Int == 1)
        #expect(server.stop() == 0)
    }

    /// Rewrites ca.json as the fixture edit wrote it (same serialisation, so `db` is unchanged).
    private func edit(_ url: URL, _ change: @escaping (inout [String: Any]) -> Void) throws {
        let text = try CRLLive.editing(change)(try String(contentsOf: url, encoding: .utf8))
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private func waitFor(_ server: ServerProcess, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(15)
        while !condition() {
            guard Date() < deadline else { throw APITestError("timed out waiting for the reload:\n\(server.output)") }
            usleep(50_000)
        }
    }
}
