import Foundation
import GoTemplate
import SwiftASN1

/// The functions X.509 templates get besides sprig's and step's (reference §6.1): `asn1Enc`,
/// `asn1Marshal`, `asn1Seq` and `asn1Set`, which build base64 DER for extension values.
enum X509TemplateFunctions {
    static let all: [String: FunctionSpec] = [
        "asn1Enc": FunctionSpec(1, 1) { .string(base64(try encode(try text($0[0])))) },
        "asn1Marshal": FunctionSpec(1, nil) { args in
            let params = try args.dropFirst().map(text).joined(separator: ",")
            return .string(base64(try marshal(args[0], params: params)))
        },
        "asn1Seq": FunctionSpec(0, nil) { .string(base64(try wrap(.sequence, try $0.map(text)))) },
        "asn1Set": FunctionSpec(0, nil) { .string(base64(try wrap(.set, try $0.map(text)))) },
    ]

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    private static func text(_ value: TemplateValue) throws -> String {
        guard case .string(let string) = value else {
            throw TemplateFunctionError("expected string; found \(value.goTypeName)", isArgument: true)
        }
        return string
    }

    /// `asn1Enc "type:value"`: `int`, `oid`, `bool`, `utf8`, `ia5`, `printable`, `numeric`,
    /// `utc`, `generalized` or `raw` (base64 DER as is); no type means a printable string.
    static func encode(_ input: String) throws -> [UInt8] {
        guard let colon = input.firstIndex(of: ":") else { return try string(input, tag: "printable") }
        let type = String(input[..<colon])
        let value = String(input[input.index(after: colon)...])
        var coder = DER.Serializer()
        switch type {
        case "int":
            guard let number = Int64(value) else { throw TemplateFunctionError("invalid int value \(value)") }
            try coder.serialize(number)
        case "oid":
            guard let oid = try? ASN1ObjectIdentifier(dotRepresentation: value) else { throw TemplateFunctionError("invalid oid value \(value)") }
            try coder.serialize(oid)
        case "bool":
            guard let flag = Bool(value) else { throw TemplateFunctionError("invalid bool value \(value)") }
            try coder.serialize(flag)
        case "raw":
            guard let data = Data(base64Encoded: value) else { throw TemplateFunctionError("invalid raw value: not base64") }
            return Array(data)
        case "utc", "generalized":
            guard let date = RFC3339.parse(value) else { throw TemplateFunctionError("invalid \(type) value \(value)") }
            let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
            if type == "utc" {
                try coder.serialize(try UTCTime(year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!,
                                                minutes: parts.minute!, seconds: parts.second!))
            } else {
                try coder.serialize(try GeneralizedTime(year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!,
                                                        minutes: parts.minute!, seconds: parts.second!, fractionalSeconds: 0))
            }
        default:
            return try string(value, tag: type)
        }
        return coder.serializedBytes
    }

    /// `asn1Marshal VALUE [PARAMS...]`: strings (printable unless `utf8`, `ia5` or `numeric` is
    /// given; UTF8String when not printable), integers and booleans.
    static func marshal(_ value: TemplateValue, params: String) throws -> [UInt8] {
        var coder = DER.Serializer()
        switch value {
        case .string(let string):
            let tag = ["utf8", "ia5", "numeric", "printable"].first { params.split(separator: ",").map(String.init).contains($0) }
            return try self.string(string, tag: tag ?? "printable", fallbackToUTF8: tag == nil)
        case .int(let number): try coder.serialize(Int64(number))
        case .double(let number) where number == number.rounded(): try coder.serialize(Int64(number))
        case .bool(let flag): try coder.serialize(flag)
        default: throw TemplateFunctionError("asn1: cannot marshal \(value.goTypeName)")
        }
        return coder.serializedBytes
    }

    private static func string(_ value: String, tag: String, fallbackToUTF8: Bool = false) throws -> [UInt8] {
        var coder = DER.Serializer()
        switch tag {
        case "utf8": try coder.serialize(ASN1UTF8String(value))
        case "ia5":
            guard let ia5 = try? ASN1IA5String(value) else { throw TemplateFunctionError("asn1: invalid IA5String \(value)") }
            try coder.serialize(ia5)
        case "numeric":
            guard value.allSatisfy({ $0 == " " || $0.isASCII && $0.isNumber }) else { throw TemplateFunctionError("asn1: invalid NumericString \(value)") }
            coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 18, tagClass: .universal)) { $0.append(contentsOf: Array(value.utf8)) }
        case "printable":
            if let printable = try? ASN1PrintableString(value) {
                try coder.serialize(printable)
            } else if fallbackToUTF8 {
                try coder.serialize(ASN1UTF8String(value))
            } else {
                throw TemplateFunctionError("asn1: invalid PrintableString \(value)")
            }
        default: throw TemplateFunctionError("unsupported asn1 type \(tag)")
        }
        return coder.serializedBytes
    }

    /// A SEQUENCE or SET around base64 DER values.
    private static func wrap(_ identifier: ASN1Identifier, _ values: [String]) throws -> [UInt8] {
        var content: [UInt8] = []
        for value in values {
            guard let data = Data(base64Encoded: value) else { throw TemplateFunctionError("invalid base64 value \(value)") }
            content += data
        }
        var coder = DER.Serializer()
        coder.appendConstructedNode(identifier: identifier) { $0.serializeRawBytes(content) }
        return coder.serializedBytes
    }
}
