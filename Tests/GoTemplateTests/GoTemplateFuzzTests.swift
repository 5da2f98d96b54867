import XCTest
@testable import GoTemplate

/// Random input never traps: it parses and renders, or it fails with a `TemplateError`.
final class GoTemplateFuzzTests: XCTestCase {
    /// A small deterministic generator (SplitMix64) so failures are reproducible.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let pieces = [
        "{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", "if", "else", "end", "range", "with", "define", "template", "block",
        "break", "continue", " ", "\n", ".", ".A", ".B.C", "$", "$x", "$x :=", "$x =", "$i, $v :=", ":=", "=", "|", "(", ")",
        "\"s\"", "\"", "`raw`", "`", "'a'", "'", "1", "0", "-1", "2.5", "0x1f", "1e", "true", "false", "nil", ",",
        "printf", "\"%d %s %v %q %x\"", "len", "index", "slice", "and", "or", "not", "eq", "lt", "print", "html", "js",
        "toJson", "default", "fail", "split", "dict", "set", "list", "b64dec", "substr", "repeat", "regexFind", "\"[\"",
        "\"t\"", "}", "{", "#", "\u{0}", "é", "\\", "call", "toTime", "date", "parseTime", "until", "indent",
    ]

    func testRandomTokenSoup() {
        var rng = Rng(state: 0x5EED)
        let data = TemplateValue(any: ["A": ["x", 1, 2.5], "B": ["C": "c"], "s": "str", "n": nil as Any?])
        var rendered = 0, failed = 0
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<(1 + rng.below(24)) { text += Self.pieces[rng.below(Self.pieces.count)] }
            do {
                let t = try Template(name: "fuzz", text: text)
                _ = try t.render(data)
                rendered += 1
            } catch is TemplateError {
                failed += 1
            } catch {
                XCTFail("non-template error for \(text.debugDescription): \(error)")
            }
        }
        XCTAssertEqual(rendered + failed, 20_000)
        XCTAssertGreaterThan(rendered, 100, "the generator should also produce valid templates")
    }

    func testRandomBytes() {
        var rng = Rng(state: 42)
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<rng.below(64) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
            if rng.below(2) == 0 { bytes = Array("{{".utf8) + bytes + Array("}}".utf8) }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try Template(name: "b", text: text).render(.nil)
            } catch is TemplateError {
            } catch {
                XCTFail("non-template error for \(text.debugDescription): \(error)")
            }
        }
    }

    func testRandomJSON() {
        var rng = Rng(state: 7)
        let alphabet = Array("{}[]\",:0123456789.-eEtruefalsn \\u")
        for _ in 0..<5_000 {
            let s = String((0..<rng.below(40)).map { _ in alphabet[rng.below(alphabet.count)] })
            if let v = try? TemplateValue(json: s) {
                XCTAssertNotNil(try? Template(name: "j", text: "{{toJson .}}").render(v))
            }
        }
    }
}
