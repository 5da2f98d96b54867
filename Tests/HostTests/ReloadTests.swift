import Foundation
import Testing
@testable import Host

/// SIGHUP reloads ca.json in place; a reload that changes the database is refused.
@Suite("step-ca reload", .serialized)
struct ReloadTests {
    @Test("SIGHUP applies a changed provisioner list and keeps serving; a changed db is refused")
    func reload() throws {
        let directory = try TestEnvironment.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stepPath = try ServeTests.fixtureStepPath(in: directory)
        let configURL = stepPath.appendingPathComponent("config/ca.json")
        let server = try ServerProcess(
            arguments: [configURL.path, "--password-file", TestEnvironment.fixtures.appendingPathComponent("password.txt").path],
            environment: ["STEPPATH": stepPath.path])
        defer { server.stop() }
        let root = stepPath.appendingPathComponent("certs/root_ca.crt").path
        guard let before = try ServeTests.get("/provisioners", port: server.port, root: root) else { return }
        #expect(before.stdout.contains("\"name\":\"anchor@example.com\""))

        try edit(configURL) { config in
            var authority = config["authority"] as! [String: Any]
            var provisioners = authority["provisioners"] as! [[String: Any]]
            provisioners[0]["name"] = "renamed@example.com"
            authority["provisioners"] = provisioners
            config["authority"] = authority
        }
        kill(server.process.processIdentifier, SIGHUP)
        try waitFor { server.output.contains("Reloaded the configuration") }
        let after = try #require(try ServeTests.get("/provisioners", port: server.port, root: root))
        #expect(after.stdout.contains("\"name\":\"renamed@example.com\""), "\(after.stdout)")

        try edit(configURL) { config in config["db"] = ["type": "sqlite", "dataSource": "db/other.db"] }
        kill(server.process.processIdentifier, SIGHUP)
        try waitFor { server.output.contains("the database cannot change on reload") }
        let kept = try #require(try ServeTests.get("/provisioners", port: server.port, root: root))
        #expect(kept.stdout.contains("\"name\":\"renamed@example.com\""))
        #expect(!FileManager.default.fileExists(atPath: stepPath.appendingPathComponent("db/other.db").path))
        #expect(server.stop() == 0)
    }

    private func edit(_ url: URL, _ change: (inout [String: Any]) -> Void) throws {
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: url)
    }

    private func waitFor(_ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(15)
        while !condition() {
            guard Date() < deadline else { throw ServerStartFailure(output: "timed out waiting for the reload") }
            usleep(50_000)
        }
    }
}
