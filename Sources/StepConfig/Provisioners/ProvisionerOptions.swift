/// A provisioner's `options` object: certificate templates and webhooks.
public struct ProvisionerOptions: Sendable, Equatable {
    /// X.509 certificate template settings.
    public var x509: TemplateOptions?
    /// SSH certificate template settings.
    public var ssh: TemplateOptions?
    /// Webhooks called while issuing.
    public var webhooks: [WebhookConfig]
    /// The `wire` object (Wire messenger integration) exactly as written.
    public var wireJSON: String?

    /// Makes options.
    public init(x509: TemplateOptions? = nil, ssh: TemplateOptions? = nil, webhooks: [WebhookConfig] = [],
                wireJSON: String? = nil) {
        self.x509 = x509
        self.ssh = ssh
        self.webhooks = webhooks
        self.wireJSON = wireJSON
    }
}

/// `options.x509` or `options.ssh`.
public struct TemplateOptions: Sendable, Equatable {
    /// An inline template.
    public var template: String?
    /// A template file, resolved against STEPPATH.
    public var templateFile: String?
    /// Extra template data (`templateData`) exactly as written.
    public var templateDataJSON: String?

    /// Makes template options.
    public init(template: String? = nil, templateFile: String? = nil, templateDataJSON: String? = nil) {
        self.template = template
        self.templateFile = templateFile
        self.templateDataJSON = templateDataJSON
    }
}

/// One entry of `options.webhooks`. Secrets and credentials cannot be set
/// in ca.json; they come from the database.
public struct WebhookConfig: Sendable, Equatable {
    /// Webhook id.
    public var id: String?
    /// Webhook name.
    public var name: String?
    /// Endpoint; must be https.
    public var url: String?
    /// `ENRICHING`, `AUTHORIZING`, `SCEPCHALLENGE` or `NOTIFYING` (upper-cased on load).
    public var kind: String?
    /// `X509`, `SSH` or `ALL`.
    public var certType: String?
    /// Whether the CA's client certificate is withheld from the webhook server.
    public var disableTLSClientAuth: Bool

    /// The webhook kinds step-ca accepts.
    public static let kinds: Set<String> = ["ENRICHING", "AUTHORIZING", "SCEPCHALLENGE", "NOTIFYING"]

    /// Makes a webhook entry.
    public init(id: String? = nil, name: String? = nil, url: String? = nil, kind: String? = nil,
                certType: String? = nil, disableTLSClientAuth: Bool = false) {
        self.id = id
        self.name = name
        self.url = url
        self.kind = kind
        self.certType = certType
        self.disableTLSClientAuth = disableTLSClientAuth
    }
}
