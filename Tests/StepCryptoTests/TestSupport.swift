import Foundation
import StepCrypto
import Testing

/// Paths and shared values for the StepCrypto tests.
enum TestSupport {
    /// The password of every encrypted vector.
    static let vectorPassword = Data("vector-password".utf8)

    /// The folder of generated vectors (copied into the test bundle).
    static var vectorsDirectory: URL {
        guard let url = Bundle.module.url(forResource: "Vectors", withExtension: nil) else {
            preconditionFailure("the Vectors resource folder is missing from the test bundle")
        }
        return url
    }

    /// The step-ca 0.19 fixtures in `Tests/Fixtures/step-ca-0.19`.
    static var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/step-ca-0.19")
    }

    static func vectorKey(_ name: String) throws -> String {
        try String(contentsOf: vectorsDirectory.appendingPathComponent("keys/\(name)"), encoding: .utf8)
    }

    static func vectorJSON(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: vectorsDirectory.appendingPathComponent(name)))
    }

    static func fixture(_ path: String) throws -> Data {
        try Data(contentsOf: fixtureDirectory.appendingPathComponent(path))
    }

    /// The fixture password, exactly as stored (no trailing newline).
    static var fixturePassword: Data {
        get throws { try fixture("password.txt") }
    }

    /// Whether this run is CI, where a missing external tool is a failure rather than a skip.
    static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Runs a program found on `PATH` and returns its exit status and standard output.
    static func run(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: Data, error: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
        }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output, error)
    }

    /// Checks that an external tool is available. When it is not, the test fails under CI
    /// (returns `false` after recording an issue) and is cancelled (skipped, with the message) otherwise.
    static func toolAvailable(_ available: Bool, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        if available {
            return true
        }
        if isCI {
            Issue.record("\(message) (required because CI=true)", sourceLocation: sourceLocation)
            return false
        }
        try Test.cancel("skipped: \(message); set CI=true to make this a failure", sourceLocation: sourceLocation)
    }

    static func hexBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
