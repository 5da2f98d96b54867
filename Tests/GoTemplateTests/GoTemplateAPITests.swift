import XCTest
@testable import GoTemplate

/// The public API: value construction, error fields, custom functions, reuse of a parsed template.
final class GoTemplateAPITests: XCTestCase {
    func testFailCarriesBareMessageAndCode() throws {
        let t = try Template(name: "leaf", text: "{\n  {{- if not .Token.email }}{{ fail \"email required\" }}{{ end }}\n}")
        XCTAssertThrowsError(try t.render(any: ["Token": ["sub": "x"]])) { error in
            guard let e = error as? TemplateError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .failed)
            XCTAssertEqual(e.message, "email required")
            XCTAssertEqual(e.templateName, "leaf")
            XCTAssertEqual(e.line, 2)
            XCTAssertEqual(e.column, 31)
            XCTAssertEqual(e.description, "template: leaf:2:31: executing \"leaf\" at <fail \"email required\">: error calling fail: email required")
        }
    }

    func testParseErrorFields() {
        XCTAssertThrowsError(try Template(name: "x509", text: "ok\n{{ if }}")) { error in
            guard let e = error as? TemplateError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, .syntax)
            XCTAssertEqual(e.line, 2)
            XCTAssertNil(e.column)
            XCTAssertEqual(e.description, "template: x509:2: missing value for if")
        }
    }

    func testJSONDataHasGoTypes() throws {
        let data = try TemplateValue(json: #"{"n": 3, "s": "x", "l": [true, null], "m": {"k": 1.5}}"#)
        let t = try Template(name: "t", text: "{{printf \"%T %T %T %v\" .n .s .l .m}}")
        XCTAssertEqual(try t.render(data), "float64 string []interface {} map[k:1.5]")
    }

    func testInvalidJSONData() {
        XCTAssertThrowsError(try TemplateValue(json: "{\"a\": }"))
        XCTAssertThrowsError(try TemplateValue(json: "[1,]"))
        XCTAssertThrowsError(try TemplateValue(json: String(repeating: "[", count: 10_000)))
    }

    func testSwiftDataConversion() throws {
        let t = try Template(name: "t", text: "{{.i}} {{.d}} {{.b}} {{.s}} {{index .a 1}} {{.m.k}} {{.n}}")
        let data: [String: Any?] = ["i": 7, "d": 2.25, "b": true, "s": "str", "a": [1, 2], "m": ["k": "v"], "n": nil]
        XCTAssertEqual(try t.render(any: data), "7 2.25 true str 2 v <no value>")
    }

    func testCustomFunctionAndCall() throws {
        let double = FunctionSpec(1, 1) { args in
            guard case .int(let n) = args[0] else { throw TemplateFunctionError("not an int") }
            return .int(n * 2)
        }
        let t = try Template(name: "t", text: "{{double 21}} {{call .f 3}} {{double \"x\"}}", functions: ["double": double])
        let f: TemplateFunction = { args in .string("called with \(args.count)") }
        XCTAssertThrowsError(try t.render(.dict(["f": .function(f)]))) { error in
            XCTAssertEqual((error as? TemplateError)?.description,
                           "template: t:1:30: executing \"t\" at <double \"x\">: error calling double: not an int")
        }
        let ok = try Template(name: "t", text: "{{double 21}} {{call .f 3}}", functions: ["double": double])
        XCTAssertEqual(try ok.render(.dict(["f": .function(f)])), "42 called with 1")
    }

    func testRenderDefinedTemplateByName() throws {
        let t = try Template(name: "main", text: "{{define \"cn\"}}{{.}}!{{end}}main")
        XCTAssertEqual(t.templateNames, ["cn", "main"])
        XCTAssertEqual(try t.render(templateNamed: "cn", .string("x")), "x!")
        XCTAssertThrowsError(try t.render(templateNamed: "nope", .nil)) { error in
            XCTAssertEqual((error as? TemplateError)?.code, .undefinedTemplate)
        }
    }

    func testParsedTemplateIsReusableAndIndependent() throws {
        let t = try Template(name: "t", text: "{{$d := dict}}{{$_ := set $d \"n\" .}}{{toJson $d}}")
        XCTAssertEqual(try t.render(.int(1)), #"{"n":1}"#)
        XCTAssertEqual(try t.render(.int(2)), #"{"n":2}"#)
    }

    func testConcurrentRendering() throws {
        let t = try Template(name: "leaf", text: StepCATemplates.leaf)
        let data = TemplateValue(any: StepCATemplates.leafData(rsa: false))
        let expected = try t.render(data)
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        failures.initialize(to: 0)
        defer { failures.deallocate() }
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 where (try? t.render(data)) != expected {
                lock.lock(); failures.pointee += 1; lock.unlock()
            }
        }
        XCTAssertEqual(failures.pointee, 0)
    }

    func testExponentialRecursionIsBounded() throws {
        let t = try Template(name: "t", text: "{{define \"a\"}}{{template \"a\"}}{{template \"a\"}}{{end}}{{template \"a\"}}")
        XCTAssertThrowsError(try t.render(.nil)) { error in
            XCTAssertEqual((error as? TemplateError)?.code, .recursionLimit)
        }
    }

    func testDeepNestingIsAParseError() {
        let deep = "{{" + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "}}"
        XCTAssertThrowsError(try Template(name: "t", text: deep)) { error in
            XCTAssertEqual((error as? TemplateError)?.code, .syntax)
        }
        let ifs = String(repeating: "{{if 1}}", count: 5000) + String(repeating: "{{end}}", count: 5000)
        XCTAssertThrowsError(try Template(name: "t", text: ifs))
    }
}
