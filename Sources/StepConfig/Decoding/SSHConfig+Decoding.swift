extension SSHConfig {
    static let keys = ["hostKey", "userKey", "keys", "addUserPrincipal", "addUserCommand", "bastion"]

    static func decode(_ reader: ObjectReader) -> SSHConfig {
        let steps = reader.context.stepPath
        var config = SSHConfig(hostKey: reader.string("hostKey").map(steps.resolveKeyReference),
                               userKey: reader.string("userKey").map(steps.resolveKeyReference),
                               addUserPrincipal: reader.string("addUserPrincipal"),
                               addUserCommand: reader.string("addUserCommand"))
        for element in reader.array("keys") ?? [] {
            guard let entry = ObjectReader(element.node, at: element.path, context: reader.context,
                                           keys: ["type", "federated", "key"]) else { continue }
            if let key = decodeEntry(entry) { config.keys.append(key) }
        }
        if let bastion = reader.object("bastion", keys: ["hostname", "user", "port", "cmd", "flags"]) {
            config.bastion = SSHBastion(hostname: bastion.string("hostname"), user: bastion.string("user"),
                                        port: bastion.string("port"), command: bastion.string("cmd"),
                                        flags: bastion.string("flags"))
        }
        return config
    }

    private static func decodeEntry(_ entry: ObjectReader) -> SSHPublicKeyEntry? {
        let typeText = entry.requiredString("type")
        let type = typeText.flatMap { SSHPublicKeyEntry.KeyType(rawValue: $0.lowercased()) }
        if let typeText, type == nil {
            entry.invalid("type", "invalid type \(GoQuote.quote(typeText)); it must be user or host")
        }
        let federated = entry.bool("federated") ?? false
        guard let keyNode = entry.value("key") else {
            entry.missing("key")
            return nil
        }
        guard let key = JSONWebKey.decode(keyNode, at: entry.path("key"), context: entry.context) else { return nil }
        if key.hasPrivateMembers {
            entry.invalid("key", "must be a public key; it contains private key members")
        }
        guard let type else { return nil }
        return SSHPublicKeyEntry(type: type, federated: federated, key: key)
    }
}

extension JSONWebKey {
    /// Members that only private (or symmetric) JWKs carry.
    static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"]

    /// Reads a JWK object: keeps its exact text and the members the CA uses.
    /// Any other members are allowed (`x`, `y`, `n`, `e`, `x5c`...).
    static func decode(_ node: JSONNode, at path: JSONPath, context: DecodeContext) -> JSONWebKey? {
        guard case .object(let members) = node.value else {
            if !node.isNull { context.typeMismatch(node, path, expected: "a JSON Web Key object") }
            return nil
        }
        func member(_ name: String) -> String? {
            guard let found = members.last(where: { $0.key == name }) else { return nil }
            return context.string(found.value, path.appending(name))
        }
        let key = JSONWebKey(rawJSON: context.rawText(node), keyID: member("kid"), keyType: member("kty"),
                             curve: member("crv"), algorithm: member("alg"), use: member("use"),
                             hasPrivateMembers: members.contains { privateMembers.contains($0.key) })
        if key.keyType?.isEmpty ?? true {
            context.error(.missingValue, path.appending("kty"), "kty is required in a JSON Web Key", at: node.start)
        }
        return key
    }
}
