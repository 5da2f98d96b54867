/// Control flow out of `{{break}}` / `{{continue}}`.
private enum LoopSignal: Error {
    case breakLoop
    case continueLoop
}

/// Walks a tree and writes its output, with Go's `text/template` execution semantics and
/// `missingkey=default` (a missing map key is "no value": printed as `<no value>`, nil to functions).
final class Executor {
    private let template: Template
    private var out = ""
    private var vars: [(name: String, value: TemplateValue?)] = []
    private var tree: Tree
    private var depth = 0

    /// Maximum nesting of `{{template}}` calls (Go allows 100000; a Swift stack does not).
    static let maxDepth = 100
    /// Maximum number of `{{template}}` calls in one rendering (bounds exponential recursion).
    static let maxCalls = 100_000
    private var calls = 0

    init(template: Template, tree: Tree) {
        self.template = template
        self.tree = tree
    }

    func run(data: TemplateValue?) throws -> String {
        vars = [("$", data)]
        out.reserveCapacity(256)
        try walk(data, tree.root)
        return out
    }

    // MARK: errors

    private func fail(_ pos: Pos, _ context: String, _ message: String, code: TemplateError.Code = .execution) -> TemplateError {
        TemplateError(code: code, templateName: tree.parseName, line: pos.line, column: pos.col,
                      context: context, executing: tree.name, message: message)
    }

    // MARK: walking

    private func walk(_ dot: TemplateValue?, _ nodes: [Node]) throws {
        for node in nodes {
            switch node {
            case .text(let t):
                out += t
            case .action(let pipe):
                let value = try evalPipeline(dot, pipe)
                if pipe.decl.isEmpty { try printValue(value, pipe) }
            case .ifNode(let pipe, let list, let elseList):
                try walkIfOrWith(isWith: false, dot, pipe, list, elseList)
            case .with(let pipe, let list, let elseList):
                try walkIfOrWith(isWith: true, dot, pipe, list, elseList)
            case .range(let pipe, let list, let elseList):
                try walkRange(dot, pipe, list, elseList)
            case .template(let name, let pipe, let pos):
                try walkTemplate(dot, name, pipe, pos)
            case .breakNode:
                throw LoopSignal.breakLoop
            case .continueNode:
                throw LoopSignal.continueLoop
            }
        }
    }

    private func printValue(_ value: TemplateValue?, _ pipe: Pipeline) throws {
        guard let value, !value.isNilValue else { out += "<no value>"; return }
        if case .function = value {
            throw fail(pipe.pos, pipe.goString, "can't print \(pipe.goString) of type \(value.goTypeName)")
        }
        out += GoFormat.v(value)
    }

    private func walkIfOrWith(isWith: Bool, _ dot: TemplateValue?, _ pipe: Pipeline, _ list: [Node], _ elseList: [Node]?) throws {
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let val = try evalPipeline(dot, pipe)
        if val?.isTrue ?? false {
            try walk(isWith ? val : dot, list)
        } else if let elseList {
            try walk(dot, elseList)
        }
    }

    private func walkRange(_ dot: TemplateValue?, _ pipe: Pipeline, _ list: [Node], _ elseList: [Node]?) throws {
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let val = try evalPipeline(dot, pipe)
        let mark2 = vars.count
        // Returns false on {{break}}.
        func iteration(_ index: TemplateValue, _ elem: TemplateValue) throws -> Bool {
            if pipe.decl.count >= 1 {
                if pipe.isAssign {
                    try setVar(pipe.decl[pipe.decl.count == 1 ? 0 : 1], elem, pipe)
                    if pipe.decl.count == 2 { try setVar(pipe.decl[0], index, pipe) }
                } else {
                    vars[vars.count - 1].value = elem
                    if pipe.decl.count == 2 { vars[vars.count - 2].value = index }
                }
            }
            defer { vars.removeLast(vars.count - mark2) }
            do {
                try walk(elem, list)
            } catch LoopSignal.continueLoop {
            } catch LoopSignal.breakLoop {
                return false
            }
            return true
        }
        switch val {
        case .array(let a)?:
            if a.isEmpty { break }
            for (i, e) in a.enumerated() { if try !iteration(.int(i), e) { break } }
            return
        case .map(let m)?:
            if m.entries.isEmpty { break }
            for k in m.sortedKeys { if try !iteration(.string(k), m.entries[k]!) { break } }
            return
        case .int(let n)?:
            if pipe.decl.count > 1 {
                throw fail(pipe.pos, pipe.goString, "can't use \(n) to iterate over more than one variable")
            }
            if n <= 0 { break }
            for i in 0..<n { if try !iteration(.int(i), .int(i)) { break } }
            return
        case nil, .nil?:
            break
        case let v?:
            throw fail(pipe.pos, pipe.goString, "range can't iterate over \(GoFormat.v(v))")
        }
        if let elseList { try walk(dot, elseList) }
    }

    private func walkTemplate(_ dot: TemplateValue?, _ name: String, _ pipe: Pipeline?, _ pos: Pos) throws {
        let context = "{{template " + GoFormat.quote(name) + (pipe.map { " " + $0.goString } ?? "") + "}}"
        guard let target = template.trees[name] else {
            throw fail(pos, context, "template \(GoFormat.quote(name)) not defined", code: .undefinedTemplate)
        }
        guard depth < Executor.maxDepth else {
            throw fail(pos, context, "exceeded maximum template depth (\(Executor.maxDepth))", code: .recursionLimit)
        }
        calls += 1
        guard calls <= Executor.maxCalls else {
            throw fail(pos, context, "exceeded maximum number of template calls (\(Executor.maxCalls))", code: .recursionLimit)
        }
        let newDot = try pipe.map { try evalPipeline(dot, $0) } ?? nil
        let savedVars = vars, savedTree = tree
        vars = [("$", newDot)]
        tree = target
        depth += 1
        defer { vars = savedVars; tree = savedTree; depth -= 1 }
        try walk(newDot, target.root)
    }

    // MARK: variables

    private func setVar(_ name: String, _ value: TemplateValue?, _ pipe: Pipeline) throws {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].name == name {
            vars[i].value = value
            return
        }
        // Go reports the node evaluated last: the final operand of the pipeline.
        let last = pipe.cmds.last?.args.last
        throw fail(last?.pos ?? pipe.pos, last?.goString ?? pipe.goString, "undefined variable: \(name)")
    }

    private func varValue(_ name: String, _ pos: Pos) throws -> TemplateValue? {
        for i in stride(from: vars.count - 1, through: 0, by: -1) where vars[i].name == name { return vars[i].value }
        throw fail(pos, name, "undefined variable: \(name)")
    }

    // MARK: pipelines and commands

    private func evalPipeline(_ dot: TemplateValue?, _ pipe: Pipeline) throws -> TemplateValue? {
        var value: TemplateValue? = nil
        var hasFinal = false
        for cmd in pipe.cmds {
            value = try evalCommand(dot, cmd, final: value, hasFinal: hasFinal)
            hasFinal = true
        }
        for name in pipe.decl {
            if pipe.isAssign { try setVar(name, value, pipe) } else { vars.append((name, value)) }
        }
        return value
    }

    private func notAFunction(_ cmd: Command, _ hasFinal: Bool) throws {
        if cmd.args.count > 1 || hasFinal {
            throw fail(cmd.pos, cmd.args[0].goString, "can't give argument to non-function \(cmd.args[0].goString)")
        }
    }

    private func evalCommand(_ dot: TemplateValue?, _ cmd: Command, final: TemplateValue?, hasFinal: Bool) throws -> TemplateValue? {
        let first = cmd.args[0]
        switch first {
        case .field(let idents, let pos):
            return try evalFieldChain(dot, dot, idents, pos, first.goString, cmd: cmd, hasArgs: cmd.args.count > 1 || hasFinal)
        case .chain(let node, let idents, let pos):
            let base = try evalArg(dot, node)
            return try evalFieldChain(dot, base, idents, pos, first.goString, cmd: cmd, hasArgs: cmd.args.count > 1 || hasFinal)
        case .identifier(let name, let pos):
            return try evalFunction(dot, name, pos, cmd, final: final, hasFinal: hasFinal)
        case .pipe(let p, _):
            try notAFunction(cmd, hasFinal)
            return try evalPipeline(dot, p)
        case .variable(let name, let idents, let pos):
            let v = try varValue(name, pos)
            if idents.isEmpty {
                try notAFunction(cmd, hasFinal)
                return v
            }
            return try evalFieldChain(dot, v, idents, pos, first.goString, cmd: cmd, hasArgs: cmd.args.count > 1 || hasFinal)
        case .nilLiteral(let pos):
            throw fail(pos, "nil", "nil is not a command")
        default:
            try notAFunction(cmd, hasFinal)
            return try evalArg(dot, first)
        }
    }

    private func evalFieldChain(_ dot: TemplateValue?, _ receiver: TemplateValue?, _ idents: [String], _ pos: Pos,
                                _ context: String, cmd: Command?, hasArgs: Bool) throws -> TemplateValue? {
        var r = receiver
        for (k, name) in idents.enumerated() {
            r = try evalField(name, r, pos, context, hasArgs: k == idents.count - 1 && hasArgs, first: k == 0 && isRoot(receiver, dot))
        }
        return r
    }

    private func isRoot(_ receiver: TemplateValue?, _ dot: TemplateValue?) -> Bool {
        if case .map(let a)? = receiver, case .map(let b)? = dot { return a === b }
        return false
    }

    private func evalField(_ name: String, _ receiver: TemplateValue?, _ pos: Pos, _ context: String,
                           hasArgs: Bool, first: Bool) throws -> TemplateValue? {
        guard let receiver else { return nil }
        switch receiver {
        case .nil:
            throw fail(pos, context, "nil pointer evaluating interface {}.\(name)")
        case .map(let m):
            if hasArgs { throw fail(pos, context, "\(name) is not a method but has arguments") }
            return m.entries[name]
        case .object(let o):
            if let f = o.fields[name] {
                if hasArgs { throw fail(pos, context, "\(name) has arguments but cannot be invoked as function") }
                return f
            }
            throw fail(pos, context, "can't evaluate field \(name) in type \(o.goType)")
        default:
            throw fail(pos, context, "can't evaluate field \(name) in type interface {}")
        }
    }

    private func evalArg(_ dot: TemplateValue?, _ node: ArgNode) throws -> TemplateValue? {
        switch node {
        case .dot: return dot
        case .nilLiteral: return .nil
        case .bool(let b, _): return .bool(b)
        case .number(let n, _, _):
            switch n { case .int(let i): return .int(i); case .double(let d): return .double(d); case .overflow: return .nil }
        case .string(let s, _, _): return .string(s)
        case .field(let idents, let pos):
            return try evalFieldChain(dot, dot, idents, pos, node.goString, cmd: nil, hasArgs: false)
        case .variable(let name, let idents, let pos):
            let v = try varValue(name, pos)
            if idents.isEmpty { return v }
            return try evalFieldChain(dot, v, idents, pos, node.goString, cmd: nil, hasArgs: false)
        case .pipe(let p, _):
            return try evalPipeline(dot, p)
        case .identifier(let name, let pos):
            return try evalFunction(dot, name, pos, Command(args: [node], pos: pos), final: nil, hasFinal: false)
        case .chain(let base, let idents, let pos):
            if case .nilLiteral = base { throw fail(pos, node.goString, "indirection through explicit nil in \(node.goString)") }
            let b = try evalArg(dot, base)
            return try evalFieldChain(dot, b, idents, pos, node.goString, cmd: nil, hasArgs: false)
        }
    }

    // MARK: functions

    private func evalFunction(_ dot: TemplateValue?, _ name: String, _ pos: Pos, _ cmd: Command,
                              final: TemplateValue?, hasFinal: Bool) throws -> TemplateValue? {
        guard let spec = template.functions[name] else {
            throw fail(pos, name, "\(GoFormat.quote(name)) is not a defined function")
        }
        let argNodes = cmd.args.dropFirst()
        let count = argNodes.count + (hasFinal ? 1 : 0)
        if count < spec.minArgs || (spec.maxArgs.map { count > $0 } ?? false) {
            let want = spec.maxArgs == nil ? "at least \(spec.minArgs)" : "\(spec.minArgs)"
            throw fail(pos, name, "wrong number of args for \(name): want \(want) got \(count)")
        }
        // and/or evaluate their arguments lazily and return one of them (Go >= 1.18).
        if name == "and" || name == "or" {
            var last: TemplateValue? = nil
            for node in argNodes {
                last = try evalArg(dot, node)
                let t = last?.isTrue ?? false
                if (name == "and" && !t) || (name == "or" && t) { return last }
            }
            if hasFinal { return final }
            return last
        }
        var args: [TemplateValue] = []
        args.reserveCapacity(count)
        for node in argNodes { args.append(try evalArg(dot, node) ?? .nil) }
        if hasFinal { args.append(final ?? .nil) }
        do {
            return try spec.body(args)
        } catch let e as TemplateFunctionError {
            if e.isFail {
                throw fail(cmd.pos, cmd.goString, e.message, code: .failed)
                    .withDescriptionMessage("error calling \(name): \(e.message)")
            }
            if e.isArgument { throw fail(cmd.pos, cmd.goString, e.message) }
            throw fail(cmd.pos, cmd.goString, "error calling \(name): \(e.message)")
        } catch let e as TemplateError {
            throw e
        }
    }
}

extension TemplateError {
    /// For `.failed`, `message` keeps the bare text of `fail` while `description` shows Go's
    /// full "error calling fail: ..." form.
    func withDescriptionMessage(_ full: String) -> TemplateError {
        var e = self
        e.fullMessage = full
        return e
    }
}
