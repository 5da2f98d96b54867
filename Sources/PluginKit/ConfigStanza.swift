import FoundationEssentials

/// Decodes a plugin's ca.json object (the `db` or `kms` stanza the host hands over) and turns
/// decoding failures into ``PluginError/invalidArgument(_:)`` messages that name the JSON path,
/// e.g. `db.maxConnections: Expected to decode Int but found a string instead.`
///
/// - Parameters:
///   - type: the plugin's stanza model.
///   - json: the stanza as JSON text.
///   - root: the stanza's name in ca.json (`db`, `kms`).
public func decodeConfigStanza<Stanza: Decodable>(_ type: Stanza.Type, from json: String, root: String) throws -> Stanza {
    do {
        return try JSONDecoder().decode(Stanza.self, from: Data(json.utf8))
    } catch DecodingError.keyNotFound(let key, _) {
        throw PluginError.invalidArgument("\(root).\(key.stringValue) is required")
    } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        throw PluginError.invalidArgument("\(root).\(path): \(context.debugDescription)")
    } catch {
        throw PluginError.invalidArgument("\(root): not a JSON object")
    }
}
