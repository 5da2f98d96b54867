import Foundation

extension CAConfig {
    /// Reads and checks a ca.json file.
    ///
    /// Relative paths inside the file resolve against `stepPath` (see
    /// ``StepPath``). Messages name the file relative to STEPPATH when it lies
    /// inside it (`config/ca.json`), else as given.
    ///
    /// - Returns: the configuration and the warnings (unknown keys, skipped
    ///   provisioner types, provisioners step-ca would keep uninitialized).
    /// - Throws: ``ConfigError``; when there are several problems the first is
    ///   thrown and the others are in ``ConfigError/additionalErrors``; the
    ///   warnings are in ``ConfigError/warnings``.
    public static func load(path: String, stepPath: StepPath = .fromEnvironment())
        throws(ConfigError) -> (config: CAConfig, warnings: [ConfigWarning]) {
        let name = displayName(for: path, stepPath: stepPath)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(code: .unreadableFile, file: name, path: .root,
                              reason: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(data, file: name, stepPath: stepPath)
    }

    /// Checks ca.json text already in memory; `file` is the name used in messages.
    /// See ``load(path:stepPath:)``.
    public static func parse(_ data: Data, file: String = "ca.json", stepPath: StepPath)
        throws(ConfigError) -> (config: CAConfig, warnings: [ConfigWarning]) {
        let source = SourceText(Array(data))
        let context = DecodeContext(file: file, source: source, stepPath: stepPath)

        let node: JSONNode
        do {
            let parsed = try JSONParser.parse(source.bytes)
            node = parsed.0
            if parsed.trailingOffset < source.bytes.count {
                context.warning(.trailingContent, .root, "content after the JSON document is ignored",
                                at: parsed.trailingOffset)
            }
        } catch {
            let position = source.position(of: error.offset)
            throw ConfigError(code: .invalidJSON, file: file, path: .root, reason: "invalid JSON: \(error.message)",
                              line: position.line, column: position.column)
        }

        var config = decode(node, context: context)
        config?.validate(context, ObjectPositions(node))
        if context.errors.isEmpty { config?.validateClaims(context) }
        let warnings = inDocumentOrder(context.warnings)
        guard let config, context.errors.isEmpty else {
            var error = combinedError(context)
            error.warnings = warnings
            throw error
        }
        return (config, warnings)
    }

    /// Warnings sorted by position; those without one keep their order at the end.
    private static func inDocumentOrder(_ warnings: [ConfigWarning]) -> [ConfigWarning] {
        warnings.enumerated().sorted { lhs, rhs in
            (lhs.element.line ?? Int.max, lhs.element.column ?? Int.max, lhs.offset)
                < (rhs.element.line ?? Int.max, rhs.element.column ?? Int.max, rhs.offset)
        }.map(\.element)
    }

    /// All recorded errors in document order, the first carrying the rest;
    /// a missing key gets a hint when a misspelt key is nearby.
    private static func combinedError(_ context: DecodeContext) -> ConfigError {
        let ordered = context.errors.enumerated().sorted { lhs, rhs in
            let left = (lhs.element.line ?? Int.max, lhs.element.column ?? Int.max, lhs.offset)
            let right = (rhs.element.line ?? Int.max, rhs.element.column ?? Int.max, rhs.offset)
            return left < right
        }.map { entry -> ConfigError in
            var error = entry.element
            if error.code == .missingValue, let key = error.path.lastKey,
               let typo = context.warnings.first(where: { warning in
                   warning.code == .unknownKey && warning.suggestion == key
                       && JSONPath(components: warning.path.components.dropLast())
                       == JSONPath(components: error.path.components.dropLast())
               }), let typoKey = typo.path.lastKey {
                error.reason += "; found unknown key \(GoQuote.quote(typoKey)) instead"
            }
            return error
        }
        var first = ordered[0]
        first.additionalErrors = Array(ordered.dropFirst())
        return first
    }

    /// `config/ca.json` for a file inside STEPPATH, else the path as given.
    static func displayName(for path: String, stepPath: StepPath) -> String {
        let absolute = GoFilePath.isAbsolute(path)
            ? GoFilePath.clean(path) : GoFilePath.join(stepPath.workingDirectory, path)
        let base = GoFilePath.isAbsolute(stepPath.directory)
            ? stepPath.directory : GoFilePath.join(stepPath.workingDirectory, stepPath.directory)
        if absolute.hasPrefix(base + "/") { return String(absolute.dropFirst(base.count + 1)) }
        return path
    }
}
