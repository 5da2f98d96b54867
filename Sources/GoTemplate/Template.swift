/// A template function with its arity, as Go checks it before calling.
public struct FunctionSpec {
    /// Minimum number of arguments.
    public var minArgs: Int
    /// Maximum number of arguments; nil for variadic functions.
    public var maxArgs: Int?
    /// The implementation.
    public var body: TemplateFunction

    /// Creates a function with a fixed arity (`min == max`) or a range; `max: nil` is variadic.
    public init(_ minArgs: Int, _ maxArgs: Int?, _ body: @escaping TemplateFunction) {
        self.minArgs = minArgs
        self.maxArgs = maxArgs
        self.body = body
    }
}

/// A parsed Go `text/template` with its `define`d and `block` templates.
///
/// Parse once, render many times; a `Template` is immutable after parsing and may be rendered
/// from several threads at once (maps built by `dict`/`set` during a render are per render).
///
/// Semantics follow Go's `text/template` (checked against Go 1.19, see
/// Tests/GoTemplateTests/golden) with the options step-ca uses: step-ca creates templates with
/// `template.New(name).Funcs(...).Parse(text)` and sets no `missingkey` option, so Go's default
/// applies — a missing map key is "no value": `<no value>` when printed, `nil` to functions
/// (`toJson` gives `null`), false to `if`, empty to `range`.
///
/// Also supported from newer Go: `range` over an integer (1.22) and `{{else with}}` (1.23).
/// Known differences: type names in error messages are those of JSON-decoded data
/// (`interface {}`); `len` of a missing value reports "len of nil pointer"; regular
/// expressions use ICU (`NSRegularExpression`) rather than RE2; sprig's date functions work in
/// UTC and `keys` returns sorted keys. Limits that Go does not have, so that no input can
/// exhaust the stack: 100 nested control structures or parentheses (parse error), 100 nested
/// `{{template}}` calls and 100,000 calls per render (`.recursionLimit`).
public final class Template {
    /// The template's name (used in error messages).
    public let name: String
    /// The function map the template was parsed with.
    let functions: [String: FunctionSpec]
    /// The main tree and every associated template, by name.
    let trees: [String: Tree]

    /// Parses `text`. `functions` are added to (and may override) the built-in, sprig and step
    /// functions (`Template.standardFunctions`).
    public init(name: String, text: String, functions extra: [String: FunctionSpec] = [:]) throws {
        self.name = name
        var fm = Template.standardFunctions
        for (k, v) in extra { fm[k] = v }
        functions = fm
        var parser = Parser(name: name, text: text, functions: Set(fm.keys))
        let root = try parser.parse()
        var trees: [String: Tree] = [:]
        for (defName, list) in parser.definitions {
            trees[defName] = Tree(name: defName, parseName: name, root: list)
        }
        // The main body replaces a define of the same name only when it is not empty (Go's rule).
        let isEmpty = root.allSatisfy { if case .text(let t) = $0 { return t.allSatisfy { $0.isWhitespace } } else { return false } }
        if trees[name] == nil || !isEmpty {
            trees[name] = Tree(name: name, parseName: name, root: root)
        }
        self.trees = trees
    }

    /// The names of all templates (main and defined), sorted.
    public var templateNames: [String] { trees.keys.sorted() }

    /// Renders the main template with `data` as dot.
    public func render(_ data: TemplateValue) throws -> String {
        try render(templateNamed: name, data)
    }

    /// Renders the template called `templateName` (the main one or a `define`).
    public func render(templateNamed templateName: String, _ data: TemplateValue) throws -> String {
        guard let tree = trees[templateName] else {
            throw TemplateError(code: .undefinedTemplate, templateName: name,
                                message: "no template \(GoFormat.quote(templateName)) associated with template \(GoFormat.quote(name))")
        }
        // Go's Execute(w, nil): dot is an invalid value, so `.X` is "no value", not an error.
        return try Executor(template: self, tree: tree).run(data: data.isNilValue ? nil : data)
    }

    /// Renders with Swift data (see `TemplateValue.init(any:)`).
    public func render(any data: Any?) throws -> String {
        try render(TemplateValue(any: data))
    }

    /// Go's `text/template` built-ins plus the sprig and step functions (see `Functions*.swift`).
    public static let standardFunctions: [String: FunctionSpec] = {
        var m = BuiltinFunctions.all
        for (k, v) in SprigFunctions.all { m[k] = v }
        for (k, v) in StepFunctions.all { m[k] = v }
        return m
    }()
}
