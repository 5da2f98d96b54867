extension TemplatesConfig {
    static let keys = ["ssh", "data"]
    static let templateKeys = ["name", "type", "template", "path", "comment", "requires"]

    static func decode(_ reader: ObjectReader) -> TemplatesConfig {
        var config = TemplatesConfig()
        if let ssh = reader.object("ssh", keys: ["user", "host"]) {
            config.ssh = SSHTemplates(user: decodeList(ssh, "user"), host: decodeList(ssh, "host"))
        }
        if let data = reader.value("data") {
            guard case .object(let members) = data.value else {
                reader.context.typeMismatch(data, reader.path("data"), expected: "an object")
                return config
            }
            config.dataJSON = reader.context.rawText(data)
            for member in members where member.key == "Step" || member.key == "User" {
                reader.context.error(.invalidValue, reader.path("data").appending(member.key),
                                     "templates data cannot define \(GoQuote.quote(member.key)); "
                                     + "it is set by the CA", at: member.keyOffset)
            }
        }
        return config
    }

    private static func decodeList(_ reader: ObjectReader, _ key: String) -> [SSHConfigTemplate] {
        var result: [SSHConfigTemplate] = []
        for element in reader.array(key) ?? [] {
            guard let item = ObjectReader(element.node, at: element.path, context: reader.context,
                                          keys: templateKeys) else { continue }
            if let template = decodeTemplate(item) { result.append(template) }
        }
        return result
    }

    /// Mirrors step's `Template.Validate`.
    private static func decodeTemplate(_ item: ObjectReader) -> SSHConfigTemplate? {
        let name = item.requiredString("name")
        var kind: SSHConfigTemplate.Kind?
        if let typeText = item.requiredString("type") {
            kind = SSHConfigTemplate.Kind(rawValue: typeText)
            if kind == nil {
                item.invalid("type", "invalid template type \(GoQuote.quote(typeText)); "
                             + "it must be snippet, file, directory, or prepend-line")
            }
        }
        let templatePath = item.string("template").flatMap { $0.isEmpty ? nil : $0 }
        if let kind {
            if kind == .directory, templatePath != nil {
                item.invalid("template", "template must be empty for a directory template")
            } else if kind != .directory, templatePath == nil {
                item.missing("template")
            }
        }
        let path = item.requiredString("path")
        let comment = item.string("comment")
        let requires = item.strings("requires") ?? []
        guard let name, let kind, let path else { return nil }
        return SSHConfigTemplate(name: name, type: kind,
                                 templatePath: templatePath.map(item.context.stepPath.resolve),
                                 path: path, comment: comment, requires: requires)
    }
}
