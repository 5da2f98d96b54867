/// An error from parsing or executing a template, formatted as Go's `text/template` does:
/// `template: NAME:LINE: MESSAGE` for parse errors and
/// `template: NAME:LINE:COL: executing "NAME" at <CONTEXT>: MESSAGE` for execution errors.
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    /// Stable error codes for callers (step-ca answers `.failed` with 400/403 and the message).
    public enum Code: String, Equatable {
        /// Lexical or syntax error in the template text.
        case syntax
        /// A function name that is not defined (parse time, as in Go).
        case undefinedFunction
        /// An undefined template named in `{{template}}`.
        case undefinedTemplate
        /// A runtime error: bad field, wrong type, index out of range, error from a function.
        case execution
        /// The template called `fail "message"`; `message` is the text to return to the client.
        case failed
        /// `{{template}}` nesting exceeded the depth limit.
        case recursionLimit
    }

    /// What went wrong, stable across versions.
    public var code: Code
    /// The name of the template (as parsed) the position refers to.
    public var templateName: String
    /// 1-based line, when known.
    public var line: Int?
    /// 0-based byte column in the line (Go's convention), for execution errors.
    public var column: Int?
    /// The node text Go prints in `at <...>`, for execution errors.
    public var context: String?
    /// The executing template's name, for execution errors.
    public var executing: String?
    /// The message without location (for `.failed`, exactly the argument of `fail`).
    public var message: String
    /// The message as Go prints it, when it differs from `message` (`error calling fail: ...`).
    public var fullMessage: String?

    /// Creates an error.
    public init(code: Code, templateName: String, line: Int? = nil, column: Int? = nil,
                context: String? = nil, executing: String? = nil, message: String) {
        self.code = code
        self.templateName = templateName
        self.line = line
        self.column = column
        self.context = context
        self.executing = executing
        self.message = message
    }

    /// Go's rendering of the error.
    public var description: String {
        let message = fullMessage ?? self.message
        var location = templateName
        if let line { location += ":\(line)" }
        if let column, let executing, let context {
            return "template: \(location):\(column): executing \"\(executing)\" at <\(context)>: \(message)"
        }
        if let executing, line == nil {
            return "template: \(executing): \(message)"
        }
        return "template: \(location): \(message)"
    }
}

/// Thrown by template functions; the executor wraps it as `error calling NAME: MESSAGE`.
public struct TemplateFunctionError: Error {
    /// The message.
    public var message: String
    /// True for sprig/step `fail`: the template error gets code `.failed`.
    public var isFail: Bool
    /// True when an argument had the wrong type: reported without "error calling", as Go does.
    public var isArgument: Bool

    /// Creates a function error.
    public init(_ message: String, isFail: Bool = false, isArgument: Bool = false) {
        self.message = message
        self.isFail = isFail
        self.isArgument = isArgument
    }
}
