import CloudKMSKit

/// An `awskms:` URI: `awskms:region=...;profile=...;credentials-file=...;endpoint=...;ca-file=...`
/// for the `kms.uri` of ca.json, or `awskms:key-id=...` for a key.
public struct AWSKMSURI: Sendable, Equatable {
    /// Attribute names (lower-cased) and their values.
    public var attributes: [String: String]

    public init(attributes: [String: String]) { self.attributes = attributes }

    /// Parses `awskms:a=b;c=d` (a `?k=v&...` query part is accepted too).
    public init(parsing text: String) throws {
        guard text.lowercased().hasPrefix("awskms:") else {
            throw AWSKMSError.invalidURI(text, "it does not start with awskms:")
        }
        var attributes: [String: String] = [:]
        let body = text.dropFirst("awskms:".count)
        for part in body.split(whereSeparator: { $0 == ";" || $0 == "?" || $0 == "&" }) {
            guard let eq = part.firstIndex(of: "=") else {
                throw AWSKMSError.invalidURI(text, "attribute \"\(part)\" has no value")
            }
            let name = part[..<eq].lowercased()
            attributes[name] = Self.percentDecode(String(part[part.index(after: eq)...]))
        }
        self.attributes = attributes
    }

    public subscript(name: String) -> String? {
        guard let value = attributes[name], !value.isEmpty else { return nil }
        return value
    }

    static func percentDecode(_ text: String) -> String { PercentEncoding.decode(text) ?? text }
}

/// The KMS `KeyId` a key name refers to: `awskms:key-id=ID`, `awskms:ID`, a key id, `alias/NAME`
/// or a key or alias ARN.
public func awsKeyID(fromName name: String) throws -> String {
    let trimmed = name.awsTrimmed(of: " \t\n")
    var id = trimmed
    if trimmed.lowercased().hasPrefix("awskms:") {
        let rest = trimmed.dropFirst("awskms:".count)
        if rest.contains("=") {
            let uri = try AWSKMSURI(parsing: trimmed)
            guard let keyID = uri["key-id"] ?? uri["keyid"] ?? uri["name"] else {
                throw AWSKMSError.invalidURI(name, "it has no key-id attribute")
            }
            id = keyID
        } else {
            id = String(rest)
        }
    }
    guard !id.isEmpty else { throw AWSKMSError.invalidURI(name, "the key id is empty") }
    return id
}
