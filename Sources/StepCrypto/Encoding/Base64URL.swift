import Foundation

/// Unpadded base64url (RFC 4648 §5), as used by JOSE.
public enum Base64URL {
    /// Encodes bytes without padding.
    public static func encode<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") {
            text.removeLast()
        }
        return text
    }

    /// Decodes unpadded base64url strictly: only `A-Z a-z 0-9 - _`, no padding, no whitespace.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` naming `what` on any invalid input.
    public static func decode(_ text: some StringProtocol, what: String = "base64url value") throws -> Data {
        guard let bytes = Base64Bytes.decodeURL(text.utf8) else {
            throw StepCryptoError.malformed(text.utf8.count % 4 == 1 ? "\(what) has an impossible base64url length"
                                                                     : "\(what) is not unpadded base64url")
        }
        return Data(bytes)
    }
}
