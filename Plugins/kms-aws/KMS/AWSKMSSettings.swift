import CloudKMSKit
import FoundationEssentials
import PluginKit

/// The ca.json `kms` object of the AWS plugin.
public struct AWSKMSStanza: Decodable, Sendable {
    public var type: String?
    public var uri: String?
    public var region: String?
    public var profile: String?
    public var credentialsFile: String?

    public init(type: String? = "awskms", uri: String? = nil, region: String? = nil, profile: String? = nil,
                credentialsFile: String? = nil) {
        self.type = type
        self.uri = uri
        self.region = region
        self.profile = profile
        self.credentialsFile = credentialsFile
    }
}

/// Everything a KMS client needs, resolved from the stanza, the URI and the environment.
public struct AWSKMSSettings: Sendable {
    public var region: String
    public var credentials: AWSCredentials
    /// Where the credentials came from (`environment`, `profile dev in /root/.aws/credentials`).
    public var credentialsSource: String
    public var endpoint: String
    /// PEM files of private trust roots (`ca-file=`, `SSL_CERT_FILE`).
    public var trustRootFiles: [String]

    /// Resolves the settings.
    ///
    /// - Region: `region=` / `region` → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region`
    ///   in the config file.
    /// - Credentials: an explicit profile (`profile=` / `profile`) reads the shared files first;
    ///   otherwise `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), then the
    ///   profile `AWS_PROFILE` (or `default`) of the credentials file (`credentials-file=` /
    ///   `credentialsFile` → `AWS_SHARED_CREDENTIALS_FILE` → `~/.aws/credentials`) and of the config
    ///   file (`AWS_CONFIG_FILE` → `~/.aws/config`).
    /// - Endpoint: `endpoint=` → `AWS_ENDPOINT_URL_KMS` → `AWS_ENDPOINT_URL` → `https://kms.REGION.amazonaws.com`.
    public static func resolve(stanza: AWSKMSStanza, environment: [String: String],
                               readFile: (String) -> String? = AWSKMSSettings.readTextFile) throws -> AWSKMSSettings {
        let uri = try stanza.uri.flatMap { $0.isEmpty ? nil : try AWSKMSURI(parsing: $0) } ?? AWSKMSURI(attributes: [:])
        func env(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func nonEmpty(_ value: String?) -> String? { value?.isEmpty == false ? value : nil }

        let explicitProfile = uri["profile"] ?? nonEmpty(stanza.profile)
        let profile = explicitProfile ?? env("AWS_PROFILE") ?? "default"
        let home = env("HOME") ?? "/root"
        let credentialsPath = uri["credentials-file"] ?? nonEmpty(stanza.credentialsFile)
            ?? env("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        let configPath = env("AWS_CONFIG_FILE") ?? home + "/.aws/config"
        let explicitCredentialsFile = uri["credentials-file"] ?? nonEmpty(stanza.credentialsFile)

        let credentialsFile = readFile(credentialsPath).map(INIFile.init(text:))
        if explicitCredentialsFile != nil && credentialsFile == nil {
            throw AWSKMSError.configuration("cannot read the credentials file \(credentialsPath)")
        }
        let configFile = readFile(configPath).map(INIFile.init(text:))
        let configSection = configFile?[profile == "default" ? "default" : "profile \(profile)"]
            ?? configFile?[profile]
        let credentialsSection = credentialsFile?[profile]

        func fromFiles() -> (AWSCredentials, String)? {
            for (section, path) in [(credentialsSection, credentialsPath), (configSection, configPath)] {
                if let section, let id = nonEmpty(section["aws_access_key_id"]),
                   let secret = nonEmpty(section["aws_secret_access_key"]) {
                    return (AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                                           sessionToken: nonEmpty(section["aws_session_token"])),
                            "profile \(profile) in \(path)")
                }
            }
            return nil
        }
        func fromEnvironment() -> (AWSCredentials, String)? {
            guard let id = env("AWS_ACCESS_KEY_ID"), let secret = env("AWS_SECRET_ACCESS_KEY") else { return nil }
            return (AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: env("AWS_SESSION_TOKEN")),
                    "environment")
        }
        let found = explicitProfile != nil || explicitCredentialsFile != nil
            ? (fromFiles() ?? fromEnvironment()) : (fromEnvironment() ?? fromFiles())
        guard let found else {
            if explicitProfile != nil, credentialsSection == nil, configSection == nil {
                throw AWSKMSError.configuration("profile \(profile) is in neither \(credentialsPath) nor \(configPath)")
            }
            throw AWSKMSError.configuration(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile \(profile) in \(credentialsPath)")
        }

        let (credentials, source) = found
        guard let region = uri["region"] ?? nonEmpty(stanza.region) ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
                ?? nonEmpty(configSection?["region"]) else {
            throw AWSKMSError.configuration("no region: set region= in kms.uri, kms.region, AWS_REGION or the profile's region")
        }
        let endpoint = uri["endpoint"] ?? env("AWS_ENDPOINT_URL_KMS") ?? env("AWS_ENDPOINT_URL")
            ?? "https://kms.\(region).amazonaws.com"
        let roots = TrustRoots.files(caFile: uri["ca-file"], environment: environment)
        return AWSKMSSettings(region: region, credentials: credentials, credentialsSource: source,
                              endpoint: endpoint, trustRootFiles: roots)
    }

    /// Reads a UTF-8 file, or nil when it cannot be read.
    public static func readTextFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
