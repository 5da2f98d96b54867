import Foundation
import GoTemplate
import X509
import StepConfig

/// Decides how a `/sign` leaf is shaped: through a template when the provisioner names one, has
/// `templateData`, or the authority has default subject attributes (`authority.template`);
/// otherwise nil, and the caller builds step-ca's default leaf directly (same certificate, no
/// rendering).
enum LeafTemplating {
    static func render(_ request: SignRequest, csr: CertificateSigningRequest, authorization: TokenAuthorization,
                       authority: Authority) throws -> CertificateTemplate? {
        let options = authorization.provisioner.options?.x509
        let custom = X509TemplateRenderer.hasCustomTemplate(options)
        let provisionerData = try provisionerTemplateData(options, provisioner: authorization.provisioner.name)
        let defaultSubject = authority.config.authority.template.flatMap { $0.isEmpty ? nil : $0 }
        guard custom || provisionerData != nil || defaultSubject != nil else { return nil }

        let text = try X509TemplateRenderer.text(for: options, fallback: X509TemplateTexts.leaf)
        let data = X509TemplateData.make(
            commonName: authorization.subject, sans: authorization.sans, tokenPayload: authorization.claims.rawJSON,
            request: csr, requestDER: request.csrDER, provisionerData: provisionerData,
            userData: custom ? X509TemplateData.userData(json: request.templateDataJSON) : nil)
        var template = try X509TemplateRenderer.render(text, data: data)
        template.applyDefaultSubject(defaultSubject)
        return template
    }

    /// The provisioner's `templateData` object; anything but an object or null is a 500, as
    /// step-ca fails to unmarshal it into the data map.
    private static func provisionerTemplateData(_ options: TemplateOptions?, provisioner: String) throws -> TemplateValue? {
        guard let json = options?.templateDataJSON, json != "null" else { return nil }
        guard let value = try? TemplateValue(json: json), case .map = value else {
            throw APIError.internalError("error unmarshaling template data of provisioner \(provisioner)")
        }
        return value
    }
}
