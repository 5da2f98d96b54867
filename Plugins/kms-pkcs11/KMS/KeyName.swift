import PluginKit

/// A key or certificate name as written in ca.json: `pkcs11:id=7331;object=intermediate`.
/// Other attributes (token, module) are allowed and ignored: the token is the configured one.
struct KeyName: Sendable {
    let id: [UInt8]?
    let label: [UInt8]?
    /// The name as given, without `pin-value`, for messages and as a cache key.
    let text: String

    init(_ name: String) throws {
        let uri = try PKCS11URI(parsing: name)
        id = uri.id
        label = uri.object
        text = uri.redacted
        guard id != nil || label != nil else {
            throw PluginError.invalidArgument("\(text): a key name needs id= or object=")
        }
    }

    /// "id=%01 and object=label", for messages.
    var selector: String {
        var parts: [String] = []
        if let id { parts.append("id=" + id.map { "%" + hex($0) }.joined()) }
        if let label { parts.append("object=\(String(decoding: label, as: UTF8.self))") }
        return parts.joined(separator: " and ")
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}
