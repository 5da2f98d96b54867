import XCTest
@testable import GoTemplate

/// Runs the engine's case table (see Cases*.swift) and checks its size.
final class GoTemplateTableTests: XCTestCase {
    static let allCases = languageCases + builtinCases + errorCases + goProbeCases + sprigCases + stepCACases

    func testTableSize() {
        XCTAssertGreaterThanOrEqual(Self.allCases.count, 200)
        XCTAssertEqual(Set(Self.allCases.map(\.name)).count, Self.allCases.count, "case names must be unique")
    }

    func testLanguage() { run(languageCases) }
    func testBuiltins() { run(builtinCases) }
    func testErrors() { run(errorCases) }
    func testGoProbes() { run(goProbeCases) }
    func testSprigAndStep() { run(sprigCases) }
    func testStepCATemplates() { run(stepCACases) }

    private func run(_ cases: [TemplateCase], file: StaticString = #filePath, line: UInt = #line) {
        for c in cases {
            if let problem = check(c) { XCTFail(problem, file: file, line: line) }
        }
    }
}
