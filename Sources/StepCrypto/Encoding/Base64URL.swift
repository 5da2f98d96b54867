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
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                standard.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "-"):
                standard += "+"
            case UInt8(ascii: "_"):
                standard += "/"
            default:
                throw StepCryptoError.malformed("\(what) is not unpadded base64url")
            }
        }
        switch standard.utf8.count % 4 {
        case 0: break
        case 2: standard += "=="
        case 3: standard += "="
        default: throw StepCryptoError.malformed("\(what) has an impossible base64url length")
        }
        guard let data = Data(base64Encoded: standard) else {
            throw StepCryptoError.malformed("\(what) is not valid base64url")
        }
        return data
    }
}
