import Foundation
import SwiftASN1
import NamePolicy
import StepConfig

/// Reads rendered template JSON as Go's encoding/json fills a struct: member names match field
/// names case-insensitively, the last duplicate wins, unknown members and `null` are ignored.
struct TemplateJSONReader {
    let node: JSONNode
    /// Where this value is, for messages (`Certificate.subject`).
    let path: String

    /// Parses rendered template output: one JSON value and nothing after it.
    static func document(_ text: String) throws -> TemplateJSONReader {
        do {
            let (node, trailing) = try JSONParser.parse(Array(text.utf8))
            guard trailing == text.utf8.count else {
                throw CertificateTemplateError(message: "invalid character after top-level value at offset \(trailing)")
            }
            return TemplateJSONReader(node: node, path: "Certificate")
        } catch let error as JSONSyntaxError {
            throw CertificateTemplateError(message: "\(error.message) at offset \(error.offset)")
        }
    }

    /// The members of an object by lower-cased name; nil for `null`; an error for other kinds.
    func members() throws -> [String: TemplateJSONReader]? {
        switch node.value {
        case .null: return nil
        case .object(let list):
            var byName: [String: TemplateJSONReader] = [:]
            for member in list {
                byName[ASCIIFold.lowercased(member.key)] = TemplateJSONReader(node: member.value, path: path + "." + member.key)
            }
            return byName
        default: throw mismatch("object")
        }
    }

    func elements() throws -> [TemplateJSONReader]? {
        switch node.value {
        case .null: return nil
        case .array(let list): return list.enumerated().map { TemplateJSONReader(node: $1, path: "\(path)[\($0)]") }
        default: throw mismatch("array")
        }
    }

    func string() throws -> String? {
        switch node.value {
        case .null: return nil
        case .string(let text): return text
        default: throw mismatch("string")
        }
    }

    func bool() throws -> Bool? {
        switch node.value {
        case .null: return nil
        case .bool(let value): return value
        default: throw mismatch("bool")
        }
    }

    func int() throws -> Int? {
        switch node.value {
        case .null: return nil
        case .number(let text):
            guard let value = Int(text) else { throw CertificateTemplateError(message: "json: cannot unmarshal number \(text) into Go struct field \(path) of type int") }
            return value
        default: throw mismatch("int")
        }
    }

    /// step's MultiString: one string or a list of strings.
    func strings() throws -> [String] {
        switch node.value {
        case .null: return []
        case .string(let text): return text.isEmpty ? [] : [text]
        case .array: return try (elements() ?? []).compactMap { try $0.string() }
        default: throw mismatch("string or []string")
        }
    }

    /// Go's `[]byte`: standard base64.
    func bytes() throws -> [UInt8]? {
        guard let text = try string() else { return nil }
        guard let data = Data(base64Encoded: text) else {
            throw CertificateTemplateError(message: "illegal base64 data in \(path)")
        }
        return Array(data)
    }

    /// An RFC 3339 time.
    func time() throws -> Date? {
        guard let text = try string() else { return nil }
        guard let date = RFC3339.parse(text) else {
            throw CertificateTemplateError(message: "parsing time \(GoQuote.quote(text)) in \(path) as RFC 3339 failed")
        }
        return date
    }

    /// A dotted object identifier.
    static func objectIdentifier(_ text: String, path: String) throws -> ASN1ObjectIdentifier {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let oid = try? ASN1ObjectIdentifier(dotRepresentation: text) else {
            throw CertificateTemplateError(message: "invalid object identifier \(GoQuote.quote(text)) in \(path)")
        }
        return oid
    }

    func mismatch(_ expected: String) -> CertificateTemplateError {
        CertificateTemplateError(message: "json: cannot unmarshal \(node.kindName.split(separator: " ").last ?? "") into Go struct field \(path) of type \(expected)")
    }
}
