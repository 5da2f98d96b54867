import Foundation
import GoTemplate
import NamePolicy
import StepConfig

/// A rendered SSH template: step's SSH certificate JSON (reference §6.5) after decoding. The CA
/// fills what the template leaves out: nonce, serial, validity; the key comes from the request.
struct SSHCertificateTemplate {
    var type: SSHCertificateKind?
    var keyID = ""
    var principals: [String] = []
    var extensions: [String: String] = [:]
    var criticalOptions: [String: String] = [:]
    var serial: UInt64?
    var nonce: [UInt8]?
    var validAfter: Date?
    var validBefore: Date?
    var reserved: [UInt8]?

    /// Decodes rendered template output; not JSON, or a member of the wrong type → error.
    static func decode(_ text: String) throws -> SSHCertificateTemplate {
        var model = SSHCertificateTemplate()
        guard let m = try TemplateJSONReader.document(text).members() else { return model }
        if let value = try m["type"]?.string() {
            guard let type = SSHCertificateKind(rawValue: value.lowercased()) else {
                throw CertificateTemplateError(message: "error unmarshaling certificate type: unknown certificate type \(GoQuote.quote(value))")
            }
            model.type = type
        }
        model.keyID = try m["keyid"]?.string() ?? ""
        model.principals = try (m["principals"]?.elements() ?? []).compactMap { try $0.string() }
        model.extensions = try stringMap(m["extensions"])
        model.criticalOptions = try stringMap(m["criticaloptions"])
        if let value = m["serial"], case .number(let digits) = value.node.value {
            guard let serial = UInt64(digits) else { throw CertificateTemplateError(message: "json: cannot unmarshal number \(digits) into Go struct field Certificate.serial of type uint64") }
            model.serial = serial
        } else if let value = m["serial"], !value.node.isNull {
            throw value.mismatch("uint64")
        }
        model.nonce = try m["nonce"]?.bytes()
        model.reserved = try m["reserved"]?.bytes()
        model.validAfter = try m["validafter"]?.time()
        model.validBefore = try m["validbefore"]?.time()
        return model
    }

    /// A `map[string]string`; keys keep their case (extension names are case-sensitive).
    private static func stringMap(_ value: TemplateJSONReader?) throws -> [String: String] {
        guard let value, try value.members() != nil, case .object(let list) = value.node.value else { return [:] }
        var map: [String: String] = [:]
        for member in list {
            map[member.key] = try TemplateJSONReader(node: member.value, path: value.path + "." + member.key).string() ?? ""
        }
        return map
    }
}

/// Renders SSH templates: the same sources as X.509 (`options.ssh`), `fail` → 400.
enum SSHTemplateRenderer {
    /// The template text for a provisioner's `options.ssh`, or `fallback`.
    static func text(for options: TemplateOptions?, fallback: String) throws -> String {
        try X509TemplateRenderer.text(for: options, fallback: fallback)
    }

    /// Renders and decodes; the certificate type must be `user` or `host`.
    static func render(_ text: String, data: TemplateValue) throws -> SSHCertificateTemplate {
        let rendered = try X509TemplateRenderer.renderText(text, data: data)
        do {
            return try SSHCertificateTemplate.decode(rendered)
        } catch let error as CertificateTemplateError {
            throw APIError(status: 500, message: "error applying certificate template", detail: error.description)
        }
    }
}
