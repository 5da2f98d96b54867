import Foundation

/// Masks the secrets of kms URIs (`pin-value`, `pin`, `management-key`) so that messages can
/// name the URI: `pkcs11:token=ca?pin-value=123456` → `pkcs11:token=ca?pin-value=***`.
enum KMSURIText {
    /// Attribute names whose values are secrets.
    static let secretAttributes: Set<String> = ["pin-value", "pin", "management-key", "managementkey", "password"]

    /// `uri` with every secret attribute's value replaced by `***`.
    static func redacted(_ uri: String) -> String {
        var out = ""
        var attribute = ""
        var masking = false
        for character in uri {
            if ":;?&".contains(character) {
                out.append(character)
                attribute = ""
                masking = false
                continue
            }
            if masking { continue }
            out.append(character)
            if character == "=" {
                if secretAttributes.contains(attribute.lowercased()) {
                    out += "***"
                    masking = true
                }
            } else {
                attribute.append(character)
            }
        }
        return out
    }

    /// A plugin message with any copy of `uri` or of its secret values masked.
    static func scrub(_ message: String, uri: String) -> String {
        var text = message.replacingOccurrences(of: uri, with: redacted(uri))
        for secret in secrets(in: uri) where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    /// The values of the secret attributes of `uri`.
    static func secrets(in uri: String) -> [String] {
        let body = uri.drop { $0 != ":" }.dropFirst()
        return body.split(whereSeparator: { ";?&".contains($0) }).compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let name = part[..<equals].lowercased()
            return secretAttributes.contains(name) ? String(part[part.index(after: equals)...]) : nil
        }
    }
}
