/// State shared while one ca.json is decoded: the source, where paths resolve,
/// and the errors and warnings found so far.
final class DecodeContext {
    let file: String
    let source: SourceText
    let stepPath: StepPath
    private(set) var errors: [ConfigError] = []
    private(set) var warnings: [ConfigWarning] = []

    init(file: String, source: SourceText, stepPath: StepPath) {
        self.file = file
        self.source = source
        self.stepPath = stepPath
    }

    func error(_ code: ConfigError.Code, _ path: JSONPath, _ reason: String, at offset: Int? = nil) {
        let position = offset.map { source.position(of: $0) }
        errors.append(ConfigError(code: code, file: file, path: path, reason: reason,
                                  line: position?.line, column: position?.column))
    }

    func warning(_ code: ConfigWarning.Code, _ path: JSONPath, _ reason: String,
                 suggestion: String? = nil, at offset: Int? = nil) {
        let position = offset.map { source.position(of: $0) }
        warnings.append(ConfigWarning(code: code, file: file, path: path, reason: reason,
                                      suggestion: suggestion, line: position?.line, column: position?.column))
    }

    /// Whether an error was already recorded for exactly this path.
    func hasError(at path: JSONPath) -> Bool {
        errors.contains { $0.path == path }
    }

    /// The exact text of a value, for handing to plugins or re-emitting.
    func rawText(_ node: JSONNode) -> String {
        source.text(of: node)
    }

    func typeMismatch(_ node: JSONNode, _ path: JSONPath, expected: String) {
        error(.typeMismatch, path, "expected \(expected), found \(node.kindName)", at: node.start)
    }
}
