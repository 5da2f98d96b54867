import CloudKMSKit

/// The `cloudkms:` URI of the ca.json `kms.uri`: `cloudkms:credentials-file=PATH;endpoint=URL;ca-file=PATH`.
/// Attributes are `;`-separated `key=value` pairs; percent-escapes in values are decoded.
public struct CloudKMSURI: Sendable {
    public var attributes: [String: String]

    public init(attributes: [String: String] = [:]) { self.attributes = attributes }

    /// Parses the URI; a value-less part (a bare resource name) is ignored here.
    public init(parsing text: String) throws {
        guard text.hasPrefix("cloudkms:") else {
            throw GCPKMSError.invalidName(text, "a Cloud KMS URI starts with \"cloudkms:\"")
        }
        var attributes: [String: String] = [:]
        let body = text.dropFirst("cloudkms:".count)
        for part in body.split(separator: ";") where !part.isEmpty {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = String(part[..<equals]).lowercased()
            let value = try Self.percentDecode(String(part[part.index(after: equals)...]), in: text)
            attributes[key] = value
        }
        self.attributes = attributes
    }

    /// The non-empty value of an attribute.
    public subscript(key: String) -> String? {
        guard let value = attributes[key], !value.isEmpty else { return nil }
        return value
    }

    static func percentDecode(_ value: String, in text: String) throws -> String {
        guard let decoded = PercentEncoding.decode(value) else { throw GCPKMSError.invalidName(text, "bad percent-escape") }
        return decoded
    }
}
