/// The top-level `templates` object: files rendered by `/ssh/config`.
public struct TemplatesConfig: Sendable, Equatable {
    /// SSH client (`user`) and server (`host`) templates.
    public var ssh: SSHTemplates?
    /// The `data` object exactly as written; it may not define `Step` or `User`.
    public var dataJSON: String?

    /// Makes template settings.
    public init(ssh: SSHTemplates? = nil, dataJSON: String? = nil) {
        self.ssh = ssh
        self.dataJSON = dataJSON
    }
}

/// `templates.ssh`.
public struct SSHTemplates: Sendable, Equatable {
    /// Templates returned for user (client) configuration.
    public var user: [SSHConfigTemplate]
    /// Templates returned for host (server) configuration.
    public var host: [SSHConfigTemplate]

    /// Makes the lists.
    public init(user: [SSHConfigTemplate] = [], host: [SSHConfigTemplate] = []) {
        self.user = user
        self.host = host
    }
}

/// One configuration template.
public struct SSHConfigTemplate: Sendable, Equatable {
    /// How the rendered output is applied on the client.
    public enum Kind: String, Sendable, CaseIterable {
        /// Inserted into an existing file between markers.
        case snippet
        /// A line added to the top of an existing file.
        case prependLine = "prepend-line"
        /// A whole file.
        case file
        /// A directory to create.
        case directory
    }

    /// Template name (e.g. `config.tpl`).
    public var name: String
    /// How the output is applied.
    public var type: Kind
    /// The template file (`template`), resolved against STEPPATH; `nil` for directories.
    public var templatePath: String?
    /// Where the client writes the output (`path`).
    public var path: String
    /// Comment marker for snippets; `#` when unset.
    public var comment: String?
    /// Request data keys the template needs (`requires`).
    public var requires: [String]

    /// Makes a template description.
    public init(name: String, type: Kind, templatePath: String? = nil, path: String, comment: String? = nil,
                requires: [String] = []) {
        self.name = name
        self.type = type
        self.templatePath = templatePath
        self.path = path
        self.comment = comment
        self.requires = requires
    }
}
