/// Recursive-descent parser producing trees for the main template and each `define`/`block`,
/// with Go's parse-time checks (undefined functions and variables, break outside range, ...).
struct Parser {
    private let tokens: [Token]
    private var i = 0
    private let name: String
    private let src: [UInt8]
    private let functions: Set<String>
    private var vars: [String] = ["$"]
    private var rangeDepth = 0
    private var nesting = 0
    /// Maximum nesting of control structures and parenthesised pipelines (a bound on recursion).
    static let maxNesting = 100
    /// Trees from `define` and `block`, in definition order.
    private(set) var definitions: [(String, [Node])] = []

    init(name: String, text: String, functions: Set<String>) {
        var lexer = Lexer(text)
        tokens = lexer.run()
        self.name = name
        self.src = Array(text.utf8)
        self.functions = functions
    }

    // MARK: errors and positions

    private func error(_ message: String, line: Int? = nil) -> TemplateError {
        let l = line ?? tokens[max(0, min(i, tokens.count) - 1)].line
        return TemplateError(code: .syntax, templateName: name, line: l, message: message)
    }

    private func pos(_ t: Token) -> Pos {
        var j = t.pos
        while j > 0 && src[j - 1] != 0x0A { j -= 1 }
        return Pos(line: t.line, col: t.pos - j)
    }

    private static func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "EOF"
        case .error: return t.text
        case .keyword, .dot, .nil: return "<\(t.text)>"
        default:
            if t.text.count > 10 { return GoFormat.quote(String(t.text.prefix(10))) + "..." }
            return GoFormat.quote(t.text)
        }
    }

    // MARK: token stream

    private mutating func next() throws -> Token {
        let t = tokens[min(i, tokens.count - 1)]
        i += 1
        if t.kind == .error { throw TemplateError(code: .syntax, templateName: name, line: t.line, message: t.text) }
        return t
    }

    private func peek() -> Token { tokens[min(i, tokens.count - 1)] }

    private mutating func nextNonSpace() throws -> Token {
        var t = try next()
        while t.kind == .space { t = try next() }
        return t
    }

    private mutating func peekNonSpace() throws -> Token {
        let t = try nextNonSpace()
        i -= 1
        return t
    }

    // MARK: top level

    /// Parses the whole text; returns the main body.
    mutating func parse() throws -> [Node] {
        var nodes: [Node] = []
        while true {
            let t = peek()
            if t.kind == .eof { break }
            if t.kind == .error { _ = try next() }
            if t.kind == .leftDelim {
                let save = i
                _ = try next()
                if try peekNonSpace().kind == .keyword("define") {
                    _ = try nextNonSpace()
                    try parseDefinition()
                    continue
                }
                i = save
            }
            let (n, stop) = try textOrAction()
            if let stop {
                throw error("unexpected \(stop == "end" ? "{{end}}" : "{{else}}")")
            }
            if let n { nodes.append(n) }
        }
        return nodes
    }

    private mutating func parseDefinition() throws {
        let t = try nextNonSpace()
        guard t.kind == .string || t.kind == .rawString else { throw error("unexpected \(Parser.describe(t)) in define clause") }
        let defName = try unquote(t)
        guard try nextNonSpace().kind == .rightDelim else { throw error("unexpected \(Parser.describe(tokens[i - 1])) in define clause") }
        let savedVars = vars
        vars = ["$"]
        let (list, stop) = try itemList(context: "define")
        vars = savedVars
        guard stop == "end" else { throw error("unexpected {{else}} in define clause") }
        try addDefinition(defName, list)
    }

    /// Go's rule: a second non-empty definition of a name is an error; an empty one is ignored.
    private mutating func addDefinition(_ defName: String, _ list: [Node]) throws {
        if let k = definitions.firstIndex(where: { $0.0 == defName }) {
            if Parser.isEmpty(list) { return }
            if !Parser.isEmpty(definitions[k].1) {
                throw error("template: multiple definition of template \(GoFormat.quote(defName))")
            }
            definitions[k].1 = list
            return
        }
        definitions.append((defName, list))
    }

    static func isEmpty(_ list: [Node]) -> Bool {
        list.allSatisfy { if case .text(let t) = $0 { return t.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } } else { return false } }
    }

    /// Parses nodes until `{{end}}` or `{{else}}`; returns the list and which one stopped it.
    private mutating func itemList(context: String) throws -> ([Node], String) {
        var nodes: [Node] = []
        while true {
            if peek().kind == .eof { throw error("unexpected EOF") }
            let (n, stop) = try textOrAction()
            if let stop { return (nodes, stop) }
            if let n { nodes.append(n) }
        }
    }

    /// One text or action; `stop` is "end"/"else" when the action was `{{end}}`/`{{else...`.
    private mutating func textOrAction() throws -> (Node?, String?) {
        let t = try nextNonSpace()
        switch t.kind {
        case .text: return (.text(t.text), nil)
        case .leftDelim: return try action()
        default: throw error("unexpected \(Parser.describe(t)) in input")
        }
    }

    private mutating func action() throws -> (Node?, String?) {
        let t = try nextNonSpace()
        switch t.kind {
        case .keyword("end"):
            try expectRightDelim("end")
            return (nil, "end")
        case .keyword("else"):
            // "else if"/"else with" are handled by the control parser: leave the keyword.
            let p = try peekNonSpace()
            if p.kind == .keyword("if") || p.kind == .keyword("with") { return (nil, "else-" + p.text) }
            try expectRightDelim("else")
            return (nil, "else")
        case .keyword("if"): return (try control(kind: "if", context: "if"), nil)
        case .keyword("with"): return (try control(kind: "with", context: "with"), nil)
        case .keyword("range"): return (try control(kind: "range", context: "range"), nil)
        case .keyword("template"): return (try templateControl(context: "template"), nil)
        case .keyword("block"): return (try blockControl(), nil)
        case .keyword("define"): throw error("unexpected <define> in command")
        case .keyword("break"), .keyword("continue"):
            guard rangeDepth > 0 else { throw error("{{\(t.text)}} outside {{range}}") }
            let n = try nextNonSpace()
            guard n.kind == .rightDelim else { throw error("unexpected \(Parser.describe(n)) in {{\(t.text)}}") }
            return (t.text == "break" ? .breakNode(pos(t)) : .continueNode(pos(t)), nil)
        default:
            i -= 1
            return (.action(try pipeline(context: "command", end: .rightDelim)), nil)
        }
    }

    private mutating func expectRightDelim(_ context: String) throws {
        let n = try nextNonSpace()
        guard n.kind == .rightDelim else { throw error("unexpected \(Parser.describe(n)) in \(context)") }
    }

    private mutating func control(kind: String, context: String) throws -> Node {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Parser.maxNesting else { throw error("max nesting depth exceeded") }
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let pipe = try pipeline(context: context, end: .rightDelim)
        if kind == "range" { rangeDepth += 1 }
        let (list, stop) = try itemList(context: context)
        if kind == "range" { rangeDepth -= 1 }
        var elseList: [Node]? = nil
        if stop.hasPrefix("else-") {
            // {{else if ...}} / {{else with ...}}: an else branch holding one nested control.
            let nested = String(stop.dropFirst(5))
            guard nested == kind, kind != "range" else {
                throw error("unexpected <\(nested)> in input")
            }
            _ = try nextNonSpace()
            elseList = [try control(kind: kind, context: context)]
            return make(kind, pipe, list, elseList)
        }
        if stop == "else" {
            let (l2, stop2) = try itemList(context: context)
            guard stop2 == "end" else { throw error("expected end; found {{else}}") }
            elseList = l2
        }
        return make(kind, pipe, list, elseList)
    }

    private func make(_ kind: String, _ pipe: Pipeline, _ list: [Node], _ elseList: [Node]?) -> Node {
        switch kind {
        case "if": return .ifNode(pipe, list, elseList)
        case "with": return .with(pipe, list, elseList)
        default: return .range(pipe, list, elseList)
        }
    }

    private mutating func templateControl(context: String) throws -> Node {
        let t = try nextNonSpace()
        guard t.kind == .string || t.kind == .rawString else { throw error("unexpected \(Parser.describe(t)) in \(context) clause") }
        let tname = try unquote(t)
        var pipe: Pipeline? = nil
        if try peekNonSpace().kind != .rightDelim {
            pipe = try pipeline(context: context, end: .rightDelim)
        } else {
            _ = try nextNonSpace()
        }
        return .template(tname, pipe, pos(t))
    }

    private mutating func blockControl() throws -> Node {
        let t = try nextNonSpace()
        guard t.kind == .string || t.kind == .rawString else { throw error("unexpected \(Parser.describe(t)) in block clause") }
        let tname = try unquote(t)
        guard try peekNonSpace().kind != .rightDelim else { throw error("missing value for block clause") }
        let pipe = try pipeline(context: "block clause", end: .rightDelim)
        let savedVars = vars
        let savedRange = rangeDepth
        vars = ["$"]; rangeDepth = 0
        let (list, stop) = try itemList(context: "block")
        vars = savedVars; rangeDepth = savedRange
        guard stop == "end" else { throw error("unexpected {{else}} in block clause") }
        try addDefinition(tname, list)
        return .template(tname, pipe, pos(t))
    }

    // MARK: pipelines

    private mutating func pipeline(context: String, end: TokenKind) throws -> Pipeline {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Parser.maxNesting else { throw error("max nesting depth exceeded") }
        let start = try peekNonSpace()
        var decl: [String] = []
        var isAssign = false
        if start.kind == .variable {
            let save = i
            _ = try nextNonSpace()
            let n = try peekNonSpace()
            if n.kind == .declare || n.kind == .assign {
                _ = try nextNonSpace()
                isAssign = n.kind == .assign
                decl.append(start.text)
            } else if n.kind == .comma {
                _ = try nextNonSpace()
                decl.append(start.text)
                guard context == "range" else { throw error("too many declarations in \(context)") }
                let v2 = try nextNonSpace()
                guard v2.kind == .variable else { throw error("range can only initialize variables") }
                let op = try nextNonSpace()
                if op.kind == .comma { throw error("too many declarations in \(context)") }
                guard op.kind == .declare || op.kind == .assign else { throw error("unexpected \(Parser.describe(op)) in range") }
                isAssign = op.kind == .assign
                decl.append(v2.text)
            } else {
                i = save
            }
        }
        var cmds: [Command] = []
        while true {
            let t = try nextNonSpace()
            if t.kind == end {
                break
            }
            switch t.kind {
            case .bool, .charConstant, .dot, .field, .identifier, .number, .nil, .rawString, .string, .variable, .leftParen:
                i -= 1
                cmds.append(try command())
            default:
                throw error("unexpected \(Parser.describe(t)) in \(context)")
            }
        }
        if !isAssign { vars.append(contentsOf: decl) }
        guard !cmds.isEmpty else { throw error("missing value for \(context)") }
        for (k, c) in cmds.enumerated().dropFirst() {
            switch c.args[0] {
            case .bool, .dot, .nilLiteral, .number, .string:
                throw error("non executable command in pipeline stage \(k + 1)")
            default: break
            }
        }
        return Pipeline(decl: decl, isAssign: isAssign, cmds: cmds, pos: pos(start))
    }

    private mutating func command() throws -> Command {
        let first = try peekNonSpace()
        var args: [ArgNode] = []
        while true {
            _ = try peekNonSpace()
            if let op = try operand() { args.append(op) }
            let t = try next()
            switch t.kind {
            case .space: continue
            case .rightDelim, .rightParen: i -= 1
            case .pipe: break
            default: throw error("unexpected \(Parser.describe(t)) in operand")
            }
            break
        }
        guard !args.isEmpty else { throw error("empty command") }
        return Command(args: args, pos: pos(first))
    }

    private mutating func operand() throws -> ArgNode? {
        guard let node = try term() else { return nil }
        if peek().kind == .field {
            // Go positions a chain at its first trailing field.
            let p = pos(peek())
            var fields: [String] = []
            while peek().kind == .field { fields.append(String(try next().text.dropFirst())) }
            switch node {
            case .field(let f, _): return .field(f + fields, p)
            case .variable(let v, let f, _): return .variable(v, f + fields, p)
            case .bool, .string, .number, .nilLiteral, .dot:
                throw error("unexpected . after term \(GoFormat.quote(node.goString))")
            default: return .chain(node, fields, p)
            }
        }
        return node
    }

    private mutating func term() throws -> ArgNode? {
        let t = try nextNonSpace()
        let p = pos(t)
        switch t.kind {
        case .identifier:
            guard functions.contains(t.text) else {
                var e = error("function \(GoFormat.quote(t.text)) not defined")
                e.code = .undefinedFunction
                throw e
            }
            return .identifier(t.text, p)
        case .dot: return .dot(p)
        case .nil: return .nilLiteral(p)
        case .variable:
            guard vars.contains(t.text) else { throw error("undefined variable \(GoFormat.quote(t.text))") }
            return .variable(t.text, [], p)
        case .field: return .field([String(t.text.dropFirst())], p)
        case .bool: return .bool(t.text == "true", p)
        case .charConstant, .number: return .number(try number(t), t.text, p)
        case .leftParen:
            let pipe = try pipeline(context: "parenthesized pipeline", end: .rightParen)
            return .pipe(pipe, p)
        case .string, .rawString: return .string(try unquote(t), t.text, p)
        default:
            i -= 1
            return nil
        }
    }

    // MARK: literals

    private func unquote(_ t: Token) throws -> String {
        guard let s = GoLiteral.unquote(t.text) else { throw error("invalid syntax") }
        return s
    }

    private func number(_ t: Token) throws -> NumberValue {
        if t.kind == .charConstant {
            guard let s = GoLiteral.unquote(t.text), s.unicodeScalars.count == 1 else {
                throw error("malformed character constant: \(t.text)")
            }
            return .int(Int(s.unicodeScalars.first!.value))
        }
        guard let v = GoLiteral.number(t.text) else { throw error("illegal number syntax: \(GoFormat.quote(t.text))") }
        if case .overflow = v { throw error("integer overflow: \(GoFormat.quote(t.text))") }
        return v
    }
}
