import ArgumentParser
import Foundation
import StepConfig

/// `--ca-url` and `--root`, with step's defaults from `$STEPPATH/config/defaults.json`.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The URL of the CA (default: ca-url of $STEPPATH/config/defaults.json).")
    var caUrl: String?

    @Option(name: .long, help: "The root certificate to trust (default: root of $STEPPATH/config/defaults.json).")
    var root: String?

    /// The client for the CA, from the flags or the STEPPATH defaults.
    func makeClient() throws -> CAClient {
        let stepPath = StepPath.fromEnvironment()
        let defaultsFile = (stepPath.directory as NSString).appendingPathComponent("config/defaults.json")
        let defaults = (FileManager.default.contents(atPath: defaultsFile))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        guard let url = caUrl ?? defaults["ca-url"] as? String else {
            throw StartupError(.usage, "--ca-url is required (no ca-url in \(defaultsFile))")
        }
        let rootFile = root ?? (defaults["root"] as? String).map(stepPath.resolve)
            ?? (stepPath.directory as NSString).appendingPathComponent("certs/root_ca.crt")
        return try CAClient(caURL: url, rootFile: rootFile)
    }
}

/// Runs a client command body, printing a failure the way the step CLI does and exiting 1.
func runClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as StartupError {
        ConsoleLog.error(error.message)
        throw ExitCode(1)
    }
}

/// Writes a file unless it exists and `force` is off.
func writeOutput(_ text: String, to path: String, mode: mode_t, force: Bool) throws {
    if !force && FileManager.default.fileExists(atPath: path) {
        throw StartupError(.exists, "\(path) already exists; use --force to overwrite it")
    }
    try SecureFile.write(text, to: path, mode: mode)
}
