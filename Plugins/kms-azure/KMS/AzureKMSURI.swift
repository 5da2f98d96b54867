import CloudKMSKit

/// An `azurekms:` URI: `;`-separated `key=value` attributes, then optionally `?` and
/// `&`-separated query attributes (`azurekms:name=K;vault=V?version=X&hsm=true`).
/// Percent-escapes in values are decoded. Keys are case-insensitive.
public struct AzureKMSURI: Sendable {
    /// The attributes before `?`.
    public var attributes: [String: String]
    /// The attributes after `?`.
    public var query: [String: String]

    public init(attributes: [String: String] = [:], query: [String: String] = [:]) {
        self.attributes = attributes
        self.query = query
    }

    /// Parses the URI; it must start with `azurekms:`.
    public init(parsing text: String) throws {
        guard text.hasPrefix("azurekms:") else {
            throw AzureKMSError.invalidName(text, "an Azure Key Vault URI starts with \"azurekms:\"")
        }
        var body = Substring(text.dropFirst("azurekms:".count))
        var queryText: Substring = ""
        if let mark = body.firstIndex(of: "?") {
            queryText = body[body.index(after: mark)...]
            body = body[..<mark]
        }
        attributes = try Self.pairs(body, separator: ";", in: text)
        query = try Self.pairs(queryText, separator: "&", in: text)
    }

    /// The non-empty value of an attribute, from the path part first, then the query.
    public subscript(key: String) -> String? {
        for value in [attributes[key], query[key]] {
            if let value, !value.isEmpty { return value }
        }
        return nil
    }

    /// Whether a boolean attribute is set (`true`, `1`, `yes`).
    public func flag(_ key: String) throws -> Bool? {
        guard let value = self[key] else { return nil }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw AzureKMSError.invalidName("\(key)=\(value)", "\(key) is true or false")
        }
    }

    private static func pairs(_ text: Substring, separator: Character, in whole: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: separator) where !part.isEmpty {
            guard let equals = part.firstIndex(of: "=") else {
                throw AzureKMSError.invalidName(whole, "\"\(part)\" is not a key=value attribute")
            }
            let key = String(part[..<equals]).lowercased()
            result[key] = try percentDecode(String(part[part.index(after: equals)...]), in: whole)
        }
        return result
    }

    static func percentDecode(_ value: String, in text: String) throws -> String {
        guard let decoded = PercentEncoding.decode(value) else { throw AzureKMSError.invalidName(text, "bad percent-escape") }
        return decoded
    }
}
