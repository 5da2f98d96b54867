import Foundation
import Testing

/// Where the repository, the built plugins and the build tools are, for tests that load plugins.
enum TestEnvironment {
    /// Names the directory holding `libstepca-db-sqlite.so` (overrides the build directory).
    static let pluginDirectoryVariable = "STEPCA_TEST_PLUGIN_DIR"

    /// Whether this is a CI run: tests that need a tool fail instead of skipping when it is missing.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The directory with the plugin ABI header, for compiling C plugins.
    static var abiIncludeDirectory: String {
        repositoryRoot.appendingPathComponent("Sources/PluginABI/include").path
    }

    /// The build directory holding the plugins SwiftPM built: `$STEPCA_TEST_PLUGIN_DIR`, else the
    /// directory of the running test executable (`.build/<triple>/<config>/`).
    static func swiftPluginDirectory() throws -> String {
        if let directory = ProcessInfo.processInfo.environment[pluginDirectoryVariable], !directory.isEmpty {
            return directory
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? ""
        let directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory + "/libstepca-db-sqlite.so") else {
            throw TestSetupError("""
                libstepca-db-sqlite.so is not in \(directory) (the test executable's directory); \
                run `swift build` before `swift test`, or set \(pluginDirectoryVariable)
                """)
        }
        return directory
    }

    /// Whether the environment names a database server (`PG_DSN`, `MY_DSN`).
    static func serverConfigured(_ variable: String) -> Bool {
        !(ProcessInfo.processInfo.environment[variable] ?? "").isEmpty
    }

    /// The full path of an executable on `PATH`, or nil.
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether tests that compile C may run: the tools exist, or this is CI (where they must).
    static var canCompileC: Bool { isCI || (tool("cc") != nil && tool("make") != nil) }

    /// Whether `nm` tests may run.
    static var canInspectSymbols: Bool { isCI || tool("nm") != nil }

    /// Returns the tool's path, or throws an error naming what to install.
    static func requireTool(_ name: String) throws -> String {
        guard let path = tool(name) else {
            throw TestSetupError("\(name) is not installed (apt-get install build-essential binutils)")
        }
        return path
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound, then released).
func freeLocalPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestSetupError("socket: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
            guard bind(descriptor, raw, length) == 0 else { return -1 }
            return getsockname(descriptor, raw, &length)
        }
    }
    guard bound == 0 else { throw TestSetupError("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A test precondition that does not hold (a tool or a build output is missing).
struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A directory under the system temporary directory, removed by ``remove()``.
struct ScratchDirectory: Sendable {
    let path: String

    init(_ label: String = "stepca-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(label)-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TestSetupError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a fresh scratch directory and removes it afterwards.
func withScratchDirectory<T>(_ label: String = "stepca-test", _ body: (ScratchDirectory) async throws -> T) async throws -> T {
    let scratch = try ScratchDirectory(label)
    do {
        let result = try await body(scratch)
        scratch.remove()
        return result
    } catch {
        scratch.remove()
        throw error
    }
}

/// The outcome of a finished subprocess.
struct ProcessOutput {
    let status: Int32
    let output: String
}

/// Runs a program to completion and returns its exit status with stdout and stderr combined.
func run(_ executable: String, _ arguments: [String]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}
