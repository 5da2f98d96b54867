import Foundation
import GoTemplate
import NIOConcurrencyHelpers
import StepConfig

/// Turns a provisioner's `options.x509` into a rendered, decoded certificate template
/// (reference §6.1): `template` is the text when it starts with `{`, else base64 of it;
/// `templateFile` is read at every issuance; parsed templates are cached by their text.
enum X509TemplateRenderer {
    /// Whether the options name a custom template (only then does `.Insecure.User` exist).
    static func hasCustomTemplate(_ options: TemplateOptions?) -> Bool {
        guard let options else { return false }
        return !(options.template ?? "").isEmpty || !(options.templateFile ?? "").isEmpty
    }

    /// The template text the options select, or `fallback` when they name none.
    static func text(for options: TemplateOptions?, fallback: String) throws -> String {
        guard let options, hasCustomTemplate(options) else { return fallback }
        let inline = options.template ?? ""
        let first = inline.utf8.first { !isWhitespace($0) }
        if first == nil, let file = options.templateFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw APIError.internalError("error reading template file \(file)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        // Whitespace around a JSON template does not change what it renders.
        if first == UInt8(ascii: "{") { return inline }
        guard let data = Data(base64Encoded: inline.trimmingCharacters(in: .whitespacesAndNewlines), options: .ignoreUnknownCharacters) else {
            throw APIError.internalError("error decoding template: the x509 template is neither JSON nor base64")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Renders `text` with `data` and decodes the result. `fail "msg"` → 400 with the message;
    /// any other template or JSON problem → 500, with the reason in the log only.
    static func render(_ text: String, data: TemplateValue) throws -> CertificateTemplate {
        let rendered = try renderText(text, data: data)
        do {
            return try CertificateTemplate.decode(rendered)
        } catch let error as CertificateTemplateError {
            throw APIError(status: 500, message: "error applying certificate template", detail: error.description)
        }
    }

    /// Renders `text` (parsed once and cached): `fail "msg"` → 400, other errors → 500.
    static func renderText(_ text: String, data: TemplateValue) throws -> String {
        do {
            return try parsed(text).render(data)
        } catch let error as TemplateError where error.code == .failed {
            throw APIError.badRequest(error.message, detail: "template failed: \(error.message)")
        } catch let error as TemplateError {
            throw APIError.internalError("error executing template: \(error)")
        }
    }

    private static let cache = ParsedTemplateCache()

    private static func parsed(_ text: String) throws -> Template {
        if let template = cache.lookup(text) { return template }
        let template = try Template(name: "template", text: text, functions: X509TemplateFunctions.all)
        cache.store(text, template)
        return template
    }
}

/// Parsed templates by text. Rendering only reads a parsed template, so one may be shared.
private final class ParsedTemplateCache: @unchecked Sendable {
    private let entries = NIOLockedValueBox<[String: Template]>([:])
    private static let capacity = 64

    func lookup(_ text: String) -> Template? { entries.withLockedValue { $0[text] } }

    func store(_ text: String, _ template: Template) {
        entries.withLockedValue { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[text] = template
        }
    }
}
