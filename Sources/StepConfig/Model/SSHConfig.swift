/// The top-level `ssh` object: the SSH certificate authority.
public struct SSHConfig: Sendable, Equatable {
    /// Key that signs host certificates: a file path or key-manager URI.
    public var hostKey: String?
    /// Key that signs user certificates: a file path or key-manager URI.
    public var userKey: String?
    /// Extra public keys announced by `/ssh/roots` and `/ssh/federation`.
    public var keys: [SSHPublicKeyEntry]
    /// Principal added to every user certificate (for `addUserCommand`).
    public var addUserPrincipal: String?
    /// Force command for the `addUserPrincipal` certificate.
    public var addUserCommand: String?
    /// Bastion host returned by `/ssh/bastion`.
    public var bastion: SSHBastion?

    /// Makes SSH settings.
    public init(hostKey: String? = nil, userKey: String? = nil, keys: [SSHPublicKeyEntry] = [],
                addUserPrincipal: String? = nil, addUserCommand: String? = nil, bastion: SSHBastion? = nil) {
        self.hostKey = hostKey
        self.userKey = userKey
        self.keys = keys
        self.addUserPrincipal = addUserPrincipal
        self.addUserCommand = addUserCommand
        self.bastion = bastion
    }
}

/// One entry of `ssh.keys`.
public struct SSHPublicKeyEntry: Sendable, Equatable {
    /// Which certificates the key verifies.
    public enum KeyType: String, Sendable, CaseIterable {
        /// Verifies user certificates.
        case user
        /// Verifies host certificates.
        case host
    }

    /// `user` or `host`.
    public var type: KeyType
    /// Whether the key is only federated (listed by `/ssh/federation`).
    public var federated: Bool
    /// The public key as a JWK.
    public var key: JSONWebKey

    /// Makes an entry.
    public init(type: KeyType, federated: Bool = false, key: JSONWebKey) {
        self.type = type
        self.federated = federated
        self.key = key
    }
}

/// `ssh.bastion`: how clients reach hosts behind a jump host.
public struct SSHBastion: Sendable, Equatable {
    /// Bastion host name.
    public var hostname: String?
    /// Login user on the bastion.
    public var user: String?
    /// SSH port (a string in ca.json).
    public var port: String?
    /// Proxy command (`cmd`).
    public var command: String?
    /// Extra flags for the proxy command.
    public var flags: String?

    /// Makes bastion settings.
    public init(hostname: String? = nil, user: String? = nil, port: String? = nil,
                command: String? = nil, flags: String? = nil) {
        self.hostname = hostname
        self.user = user
        self.port = port
        self.command = command
        self.flags = flags
    }
}
