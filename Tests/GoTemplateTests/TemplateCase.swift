import GoTemplate

/// One row of the engine's table: a template, its data, and the expected output or error.
struct TemplateCase {
    enum Expect {
        /// The exact rendered text.
        case output(String)
        /// An error with this code whose Go-style description is exactly this text.
        case error(TemplateError.Code, String)
    }

    let name: String
    let template: String
    let data: Any?
    let expect: Expect
    /// True when the expectation was checked against Go 1.19's text/template (golden/).
    let goChecked: Bool

    init(_ name: String, _ template: String, _ data: Any? = nil, _ expect: Expect, go: Bool = true) {
        self.name = name
        self.template = template
        self.data = data
        self.expect = expect
        self.goChecked = go
    }
}

func out(_ s: String) -> TemplateCase.Expect { .output(s) }
func err(_ code: TemplateError.Code, _ s: String) -> TemplateCase.Expect { .error(code, s) }

/// Renders a case; returns nil when it passes, else a description of the difference.
func check(_ c: TemplateCase) -> String? {
    let result: Result<String, Error>
    do {
        let t = try Template(name: "t", text: c.template)
        result = .success(try t.render(TemplateValue(any: c.data)))
    } catch {
        result = .failure(error)
    }
    switch (c.expect, result) {
    case (.output(let want), .success(let got)):
        return want == got ? nil : "\(c.name): output\n  want \(want.debugDescription)\n  got  \(got.debugDescription)"
    case (.output(let want), .failure(let e)):
        return "\(c.name): want output \(want.debugDescription), got error \(e)"
    case (.error(let code, let want), .failure(let e)):
        guard let te = e as? TemplateError else { return "\(c.name): non-template error \(e)" }
        if te.code != code || te.description != want {
            return "\(c.name): error\n  want \(code) \(want)\n  got  \(te.code) \(te.description)"
        }
        return nil
    case (.error(_, let want), .success(let got)):
        return "\(c.name): want error \(want), got output \(got.debugDescription)"
    }
}
