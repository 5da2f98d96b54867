import Foundation
import StepConfig
import Testing

/// Locations of test inputs and a fixed STEPPATH for resolution tests.
enum TestFiles {
    /// The STEPPATH written by the real `step ca init` (step-ca 0.19 fixtures).
    static var fixtureStepPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // StepConfigTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures/step-ca-0.19/steppath").path
    }

    /// A configuration from the `Configs` resource folder.
    static func config(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Configs/\(name)")
        return try Data(contentsOf: url)
    }

    /// A STEPPATH that does not depend on the environment.
    static let stepPath = StepPath("/srv/step", homeDirectory: "/home/ca", workingDirectory: "/work/dir")
}
