/// A source position: 1-based line and Go's 0-based byte column.
struct Pos {
    var line: Int
    var col: Int
}

/// A number literal with Go's "ideal constant" typing: ints stay ints, literals with a fraction or
/// exponent (or that overflow int) are float64, character constants are ints (runes).
enum NumberValue {
    case int(Int)
    case double(Double)
    /// An integer literal too large for int (Go: "integer overflow").
    case overflow
}

/// An operand in a command.
indirect enum ArgNode {
    case field([String], Pos)
    case variable(String, [String], Pos)
    case dot(Pos)
    case nilLiteral(Pos)
    case bool(Bool, Pos)
    case number(NumberValue, String, Pos)
    case string(String, String, Pos)
    case identifier(String, Pos)
    case chain(ArgNode, [String], Pos)
    case pipe(Pipeline, Pos)

    var pos: Pos {
        switch self {
        case .field(_, let p), .variable(_, _, let p), .dot(let p), .nilLiteral(let p), .bool(_, let p),
             .number(_, _, let p), .string(_, _, let p), .identifier(_, let p), .chain(_, _, let p), .pipe(_, let p):
            return p
        }
    }

    /// Go's `Node.String()`, used in `at <...>` of execution errors.
    var goString: String {
        switch self {
        case .field(let f, _): return f.map { "." + $0 }.joined()
        case .variable(let v, let f, _): return v + f.map { "." + $0 }.joined()
        case .dot: return "."
        case .nilLiteral: return "nil"
        case .bool(let b, _): return b ? "true" : "false"
        case .number(_, let t, _): return t
        case .string(_, let quoted, _): return quoted
        case .identifier(let n, _): return n
        case .chain(let n, let f, _):
            let base: String
            if case .pipe = n { base = n.goString } else { base = n.goString }
            return base + f.map { "." + $0 }.joined()
        case .pipe(let p, _): return "(" + p.goString + ")"
        }
    }
}

/// A command: a function call or a single operand.
final class Command {
    let args: [ArgNode]
    let pos: Pos
    init(args: [ArgNode], pos: Pos) { self.args = args; self.pos = pos }
    var goString: String { args.map { $0.goString }.joined(separator: " ") }
}

/// A pipeline with optional variable declarations (`$x :=`) or assignment (`$x =`).
final class Pipeline {
    let decl: [String]
    let isAssign: Bool
    let cmds: [Command]
    let pos: Pos
    init(decl: [String], isAssign: Bool, cmds: [Command], pos: Pos) {
        self.decl = decl; self.isAssign = isAssign; self.cmds = cmds; self.pos = pos
    }
    var goString: String {
        var s = ""
        if !decl.isEmpty { s = decl.joined(separator: ", ") + (isAssign ? " = " : " := ") }
        return s + cmds.map { $0.goString }.joined(separator: " | ")
    }
}

/// A node of the template tree.
indirect enum Node {
    case text(String)
    case action(Pipeline)
    case ifNode(Pipeline, [Node], [Node]?)
    case range(Pipeline, [Node], [Node]?)
    case with(Pipeline, [Node], [Node]?)
    case template(String, Pipeline?, Pos)
    case breakNode(Pos)
    case continueNode(Pos)
}

/// A parsed template body with the name it was parsed under (Go's `ParseName`).
final class Tree {
    let name: String
    let parseName: String
    let root: [Node]
    init(name: String, parseName: String, root: [Node]) { self.name = name; self.parseName = parseName; self.root = root }
}
