extension Provisioner {
    /// Reads one element of `authority.provisioners`. Unknown types give a
    /// warning and `nil` (step-ca skips them); a missing type or name, or a
    /// JWK without a key, is an error.
    static func decode(_ node: JSONNode, index: Int, at path: JSONPath, context: DecodeContext) -> Provisioner? {
        guard case .object(let members) = node.value else {
            context.typeMismatch(node, path, expected: "a provisioner object")
            return nil
        }
        // Go reads `type` first, matching the key ignoring case.
        guard let typeMember = members.last(where: { $0.key.lowercased() == "type" }),
              !typeMember.value.isNull else {
            context.error(.missingValue, path.appending("type"), "provisioner type is required", at: node.start)
            return nil
        }
        guard let typeName = context.string(typeMember.value, path.appending("type")) else { return nil }
        guard !typeName.isEmpty else {
            context.error(.missingValue, path.appending("type"), "provisioner type is required",
                          at: typeMember.value.start)
            return nil
        }
        guard let type = ProvisionerType(configValue: typeName) else {
            let names = ProvisionerType.allCases.map(\.configName)
            let suggestion = KeySuggestion.nearest(to: typeName, in: names)
            let hint = suggestion.map { "; did you mean \(GoQuote.quote($0))?" } ?? ""
            context.warning(.unknownProvisionerType, path.appending("type"),
                            "unknown provisioner type \(GoQuote.quote(typeName)); step-ca skips this provisioner"
                            + hint, suggestion: suggestion, at: typeMember.value.start)
            return nil
        }

        let common = type == .sshpop ? ["type", "name", "claims"] : ["type", "name", "claims", "options"]
        guard let reader = ObjectReader(node, at: path, context: context, keys: common + type.specificKeys) else {
            return nil
        }
        var problems = ProvisionerProblems()
        let name = reader.requiredString("name", "provisioner name")
        let claims = reader.object("claims", keys: Claims.keys).map(Claims.decode)
        var options: ProvisionerOptions?
        if type != .sshpop, let optionsReader = reader.object("options", keys: ProvisionerOptions.keys) {
            options = ProvisionerOptions.decode(optionsReader, problems: &problems)
        }
        let details = ProvisionerDetails.decode(type, reader, problems: &problems)
        guard let name, let details else { return nil }
        return Provisioner(typeName: typeName, name: name, claims: claims, options: options, details: details,
                           rawJSON: context.rawText(node), index: index,
                           uninitializedReason: problems.report(to: context))
    }
}

extension ProvisionerType {
    /// The conventional spelling in ca.json (`JWK`, `K8sSA`, `Azure`...).
    var configName: String {
        switch self {
        case .k8sSA: return "K8sSA"
        case .azure: return "Azure"
        case .nebula: return "Nebula"
        default: return rawValue.uppercased()
        }
    }
}

extension ProvisionerOptions {
    static let keys = ["x509", "ssh", "webhooks", "wire"]
    static let templateKeys = ["template", "templateFile", "templateData"]
    static let webhookKeys = ["id", "name", "url", "kind", "certType", "disableTLSClientAuth"]

    static func decode(_ reader: ObjectReader, problems: inout ProvisionerProblems) -> ProvisionerOptions {
        var options = ProvisionerOptions()
        options.x509 = reader.object("x509", keys: templateKeys).map(templateOptions)
        options.ssh = reader.object("ssh", keys: templateKeys).map(templateOptions)
        for element in reader.array("webhooks") ?? [] {
            guard let hook = ObjectReader(element.node, at: element.path, context: reader.context,
                                          keys: webhookKeys) else { continue }
            var webhook = WebhookConfig(id: hook.string("id"), name: hook.string("name"), url: hook.string("url"),
                                        kind: hook.string("kind"), certType: hook.string("certType"),
                                        disableTLSClientAuth: hook.bool("disableTLSClientAuth") ?? false)
            webhook.kind = webhook.kind?.uppercased()
            if let kind = webhook.kind, !WebhookConfig.kinds.contains(kind) {
                problems.add(hook, "kind", "unsupported webhook kind \(GoQuote.quote(kind)); expected "
                             + "ENRICHING, AUTHORIZING, SCEPCHALLENGE or NOTIFYING")
            } else if webhook.kind == nil {
                problems.add(hook, "kind", "webhook kind is required")
            }
            if let url = webhook.url, !url.lowercased().hasPrefix("https://") {
                problems.add(hook, "url", "webhook url \(GoQuote.quote(url)) must use https")
            } else if webhook.url == nil {
                problems.add(hook, "url", "webhook url is required")
            }
            options.webhooks.append(webhook)
        }
        options.wireJSON = reader.rawObject("wire")
        return options
    }

    private static func templateOptions(_ reader: ObjectReader) -> TemplateOptions {
        TemplateOptions(template: reader.string("template"),
                        templateFile: reader.string("templateFile").map(reader.context.stepPath.resolve),
                        templateDataJSON: reader.rawValue("templateData"))
    }
}
