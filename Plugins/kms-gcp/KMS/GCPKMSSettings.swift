import CloudKMSKit
import FoundationEssentials

/// The ca.json `kms` object of the Cloud KMS plugin.
public struct GCPKMSStanza: Decodable, Sendable {
    public var type: String?
    public var uri: String?
    public var credentialsFile: String?

    public init(type: String? = "cloudkms", uri: String? = nil, credentialsFile: String? = nil) {
        self.type = type
        self.uri = uri
        self.credentialsFile = credentialsFile
    }
}

/// Everything a Cloud KMS client needs, resolved from the stanza, the URI and the environment.
public struct GCPKMSSettings: Sendable {
    /// The default service endpoint.
    public static let defaultEndpoint = "https://cloudkms.googleapis.com"

    public var credentials: GoogleCredentials
    /// The credentials file used (never its contents).
    public var credentialsPath: String
    /// Base URL of the API (`https://cloudkms.googleapis.com`), without a trailing slash.
    public var endpoint: String
    /// PEM files of private trust roots (`ca-file=`, `SSL_CERT_FILE`).
    public var trustRootFiles: [String]

    /// Resolves the settings.
    ///
    /// - Credentials: `credentials-file=` in `kms.uri` → `kms.credentialsFile` →
    ///   `GOOGLE_APPLICATION_CREDENTIALS` → `~/.config/gcloud/application_default_credentials.json`.
    /// - Endpoint: `endpoint=` in `kms.uri` → `https://cloudkms.googleapis.com`.
    /// - Trust roots: `ca-file=` in `kms.uri`, and `SSL_CERT_FILE`, beside the system's.
    public static func resolve(stanza: GCPKMSStanza, environment: [String: String],
                               readFile: (String) -> [UInt8]? = GCPKMSSettings.readFile) throws -> GCPKMSSettings {
        let uri = try stanza.uri.flatMap { $0.isEmpty ? nil : try CloudKMSURI(parsing: $0) } ?? CloudKMSURI()
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        let explicit = uri["credentials-file"] ?? stanza.credentialsFile.flatMap { $0.isEmpty ? nil : $0 }
            ?? env("GOOGLE_APPLICATION_CREDENTIALS")
        let path = explicit ?? (env("HOME") ?? "/root") + "/.config/gcloud/application_default_credentials.json"
        guard let contents = readFile(path) else {
            if explicit == nil {
                throw GCPKMSError.configuration("no credentials: set credentials-file= in kms.uri, kms.credentialsFile or GOOGLE_APPLICATION_CREDENTIALS (\(path) does not exist)")
            }
            throw GCPKMSError.configuration("cannot read the credentials file \(path)")
        }
        let credentials = try GoogleCredentials(json: contents, path: path)

        var endpoint = uri["endpoint"] ?? defaultEndpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://") else {
            throw GCPKMSError.configuration("endpoint \"\(endpoint)\" is not an http(s) URL")
        }
        let roots = TrustRoots.files(caFile: uri["ca-file"], environment: environment)
        for file in roots where readFile(file) == nil {
            throw GCPKMSError.configuration("cannot read the CA file \(file)")
        }
        return GCPKMSSettings(credentials: credentials, credentialsPath: path, endpoint: endpoint, trustRootFiles: roots)
    }

    /// Reads a file, or nil when it cannot be read.
    public static func readFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }
}
