import Foundation
import XCTest
@testable import GoTemplate

/// Writes the Go-checkable cases (those marked `go: true`) as JSON for golden/golden.go when
/// GOTEMPLATE_GOLDEN_OUT names an output file; skipped otherwise. Numbers are tagged
/// `{"$i": n}` / `{"$f": x}` so Go sees int and float64 as the Swift engine does.
final class GoldenDumpTests: XCTestCase {
    func testDumpGoCheckableCases() throws {
        guard let path = ProcessInfo.processInfo.environment["GOTEMPLATE_GOLDEN_OUT"] else {
            throw XCTSkip("set GOTEMPLATE_GOLDEN_OUT to write golden/cases.json")
        }
        var rows: [[String: Any]] = []
        for c in GoTemplateTableTests.allCases where c.goChecked {
            var row: [String: Any] = ["name": c.name, "template": c.template, "data": Self.tagged(TemplateValue(any: c.data))]
            switch c.expect {
            case .output(let s): row["output"] = s
            case .error(_, let s): row["error"] = s
            }
            rows.append(row)
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func tagged(_ v: TemplateValue) -> Any {
        switch v {
        case .nil: return NSNull()
        case .bool(let b): return b
        case .int(let i): return ["$i": i]
        case .double(let d): return ["$f": d]
        case .string(let s): return s
        case .array(let a): return a.map { tagged($0) }
        case .map(let m): return m.entries.mapValues { tagged($0) }
        default: return "unsupported"
        }
    }
}
