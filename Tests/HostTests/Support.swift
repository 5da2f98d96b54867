import Foundation
import Testing

/// Locations and processes shared by the host tests.
enum TestEnvironment {
    /// Whether this is a CI run, where a missing tool is a failure rather than a skip.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The repository root (from this file's path).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The build directory holding `step-ca` and the plugin libraries (beside the test runner).
    static let buildDirectory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["STEPCA_TEST_BUILD_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        // On Linux the runner is <build>/<name>.xctest; on macOS it is inside a bundle.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("step-ca").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.path == "/" ? repositoryRoot.appendingPathComponent(".build/debug") : directory
    }()

    static var stepCA: String { buildDirectory.appendingPathComponent("step-ca").path }

    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/step-ca-0.19")

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepca-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The full path of a tool on PATH, or nil.
    static func tool(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A tool that must exist in CI; locally its absence skips the calling test (returns nil).
    static func requiredTool(_ name: String) -> String? {
        if let path = tool(name) { return path }
        if isCI { Issue.record("\(name) is required in CI but is not installed") }
        else { print("skipping: \(name) is not installed") }
        return nil
    }
}

/// The outcome of running a program to completion.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs programs and long-lived servers for tests.
enum Run {
    /// Runs a program to completion with a time limit.
    static func program(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                        timeout: TimeInterval = 60) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        // Drain pipes while waiting so a chatty child cannot block.
        var stdout = Data(), stderr = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { stdout = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { stderr = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A `step-ca` server process started for one test; stopped with SIGTERM.
final class ServerProcess {
    let process = Process()
    private let errorPipe = Pipe()
    private var collected = Data()
    private let lock = NSLock()
    private(set) var port: Int = 0

    /// Starts `step-ca` with `arguments` and waits for its "Serving HTTPS on host:port" line.
    init(arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 30) throws {
        process.executableURL = URL(fileURLWithPath: TestEnvironment.stepCA)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardError = errorPipe
        process.standardOutput = errorPipe
        process.standardInput = FileHandle.nullDevice
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.collected.append(data); self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = servingPort() { self.port = port; return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        let text = output
        stop()
        throw ServerStartFailure(output: text)
    }

    var output: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    private func servingPort() -> Int? {
        guard let range = output.range(of: "Serving HTTPS on ") else { return nil }
        let rest = output[range.upperBound...]
        guard let end = rest.range(of: " ...") else { return nil }
        let address = rest[..<end.lowerBound]
        return address.split(separator: ":").last.flatMap { Int($0) }
    }

    /// Sends SIGTERM and waits for the process to exit.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errorPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}

struct ServerStartFailure: Error, CustomStringConvertible {
    let output: String
    var description: String { "step-ca did not start:\n\(output)" }
}
