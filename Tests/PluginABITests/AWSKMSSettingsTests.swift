import AWSKMS
import Foundation
import PluginKit
import Testing

/// The credential chain, region and endpoint precedence, `awskms:` URIs and key names.
@Suite("AWSKMS settings and names")
struct AWSKMSSettingsTests {
    /// A fake file system for the shared files.
    final class Files: @unchecked Sendable {
        var contents: [String: String] = [:]
        func read(_ path: String) -> String? { contents[path] }
    }

    let envKeys = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_REGION": "eu-west-1", "HOME": "/home/ca"]
    let credentialsText = """
        # comment
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [dev]
        aws_access_key_id=AKIADEV
        aws_secret_access_key=dev-secret
        aws_session_token = dev-token
        """
    let configText = """
        [default]
        region = us-west-2
        [profile dev]
        region = ap-south-1
        [profile cfgonly]
        region = ca-central-1
        aws_access_key_id = AKIACFG
        aws_secret_access_key = cfg-secret
        """

    func files() -> Files {
        let files = Files()
        files.contents["/home/ca/.aws/credentials"] = credentialsText
        files.contents["/home/ca/.aws/config"] = configText
        return files
    }

    func resolve(_ stanza: AWSKMSStanza, _ environment: [String: String], _ files: Files) throws -> AWSKMSSettings {
        try AWSKMSSettings.resolve(stanza: stanza, environment: environment, readFile: files.read)
    }

    @Test("environment keys win without an explicit profile; AWS_REGION gives the region")
    func environmentFirst() throws {
        let settings = try resolve(AWSKMSStanza(), envKeys, files())
        #expect(settings.credentials == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "env-secret"))
        #expect(settings.credentialsSource == "environment")
        #expect(settings.region == "eu-west-1")
        #expect(settings.endpoint == "https://kms.eu-west-1.amazonaws.com")
    }

    @Test("AWS_SESSION_TOKEN joins the environment keys; AWS_DEFAULT_REGION when AWS_REGION is unset")
    func sessionToken() throws {
        var environment = envKeys
        environment["AWS_SESSION_TOKEN"] = "env-token"
        environment["AWS_REGION"] = nil
        environment["AWS_DEFAULT_REGION"] = "sa-east-1"
        let settings = try resolve(AWSKMSStanza(), environment, files())
        #expect(settings.credentials.sessionToken == "env-token")
        #expect(settings.region == "sa-east-1")
    }

    @Test("without environment keys: the default profile of the shared files, region from the config file")
    func defaultProfile() throws {
        let settings = try resolve(AWSKMSStanza(), ["HOME": "/home/ca"], files())
        #expect(settings.credentials == AWSCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "default-secret"))
        #expect(settings.credentialsSource == "profile default in /home/ca/.aws/credentials")
        #expect(settings.region == "us-west-2")
    }

    @Test("AWS_PROFILE picks the profile; its config section is [profile NAME]")
    func awsProfile() throws {
        let settings = try resolve(AWSKMSStanza(), ["HOME": "/home/ca", "AWS_PROFILE": "dev"], files())
        #expect(settings.credentials == AWSCredentials(accessKeyID: "AKIADEV", secretAccessKey: "dev-secret", sessionToken: "dev-token"))
        #expect(settings.region == "ap-south-1")
    }

    @Test("an explicit profile (uri or field) reads the files before the environment keys")
    func explicitProfile() throws {
        let fromURI = try resolve(AWSKMSStanza(uri: "awskms:profile=dev"), envKeys, files())
        #expect(fromURI.credentials.accessKeyID == "AKIADEV")
        let fromField = try resolve(AWSKMSStanza(profile: "dev"), envKeys, files())
        #expect(fromField.credentials.accessKeyID == "AKIADEV")
        // keys only in the config file
        let configOnly = try resolve(AWSKMSStanza(profile: "cfgonly"), ["HOME": "/home/ca"], files())
        #expect(configOnly.credentials == AWSCredentials(accessKeyID: "AKIACFG", secretAccessKey: "cfg-secret"))
        #expect(configOnly.region == "ca-central-1")
        #expect(throws: PluginError.self) {
            do { _ = try resolve(AWSKMSStanza(profile: "nobody"), ["HOME": "/home/ca"], files()) } catch let error as AWSKMSError { throw error.pluginError }
        }
    }

    @Test("credentials-file= and credentialsFile beat AWS_SHARED_CREDENTIALS_FILE; AWS_CONFIG_FILE moves the config")
    func credentialsFiles() throws {
        let files = files()
        files.contents["/etc/step/aws"] = "[default]\naws_access_key_id=AKIAURI\naws_secret_access_key=uri-secret\n"
        files.contents["/srv/shared"] = "[default]\naws_access_key_id=AKIASHARED\naws_secret_access_key=shared-secret\n"
        files.contents["/srv/config"] = "[default]\nregion=me-south-1\n"
        let environment = ["HOME": "/home/ca", "AWS_SHARED_CREDENTIALS_FILE": "/srv/shared", "AWS_CONFIG_FILE": "/srv/config"]
        #expect(try resolve(AWSKMSStanza(), environment, files).credentials.accessKeyID == "AKIASHARED")
        #expect(try resolve(AWSKMSStanza(), environment, files).region == "me-south-1")
        #expect(try resolve(AWSKMSStanza(uri: "awskms:credentials-file=/etc/step/aws"), environment, files).credentials.accessKeyID == "AKIAURI")
        #expect(try resolve(AWSKMSStanza(credentialsFile: "/etc/step/aws"), environment, files).credentials.accessKeyID == "AKIAURI")
        // an explicit file that cannot be read is an error naming it
        do {
            _ = try resolve(AWSKMSStanza(credentialsFile: "/nonexistent/creds"), environment, files)
            Issue.record("a missing credentials file was accepted")
        } catch let error as AWSKMSError {
            #expect(error.pluginError.message.contains("/nonexistent/creds"))
            #expect(error.pluginError.code == .invalidArgument)
        }
    }

    @Test("region: region= > kms.region > AWS_REGION > AWS_DEFAULT_REGION > profile; none is an error")
    func regionPrecedence() throws {
        var environment = envKeys
        environment["AWS_DEFAULT_REGION"] = "us-east-2"
        #expect(try resolve(AWSKMSStanza(uri: "awskms:region=eu-north-1", region: "eu-south-1"), environment, files()).region == "eu-north-1")
        #expect(try resolve(AWSKMSStanza(region: "eu-south-1"), environment, files()).region == "eu-south-1")
        #expect(try resolve(AWSKMSStanza(), environment, files()).region == "eu-west-1")
        environment["AWS_REGION"] = nil
        #expect(try resolve(AWSKMSStanza(), environment, files()).region == "us-east-2")
        #expect(throws: AWSKMSError.self) {
            try resolve(AWSKMSStanza(), ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"], Files())
        }
    }

    @Test("endpoint: endpoint= > AWS_ENDPOINT_URL_KMS > AWS_ENDPOINT_URL > https://kms.REGION.amazonaws.com")
    func endpointPrecedence() throws {
        var environment = envKeys
        environment["AWS_ENDPOINT_URL"] = "http://general:1"
        environment["AWS_ENDPOINT_URL_KMS"] = "http://kms-only:2"
        #expect(try resolve(AWSKMSStanza(uri: "awskms:endpoint=https://uri:3;region=us-east-1"), environment, files()).endpoint == "https://uri:3")
        #expect(try resolve(AWSKMSStanza(), environment, files()).endpoint == "http://kms-only:2")
        environment["AWS_ENDPOINT_URL_KMS"] = nil
        #expect(try resolve(AWSKMSStanza(), environment, files()).endpoint == "http://general:1")
        environment["AWS_ENDPOINT_URL"] = nil
        #expect(try resolve(AWSKMSStanza(), environment, files()).endpoint == "https://kms.eu-west-1.amazonaws.com")
    }

    @Test("ca-file= and SSL_CERT_FILE add private trust roots")
    func trustRoots() throws {
        var environment = envKeys
        environment["SSL_CERT_FILE"] = "/etc/ssl/extra.pem"
        let settings = try resolve(AWSKMSStanza(uri: "awskms:ca-file=/etc/step/kms-ca.pem"), environment, files())
        #expect(settings.trustRootFiles == ["/etc/step/kms-ca.pem", "/etc/ssl/extra.pem"])
    }

    @Test("key names: awskms:key-id=, bare ids, aliases and ARNs")
    func keyNames() throws {
        #expect(try awsKeyID(fromName: "awskms:key-id=1234abcd-12ab-34cd-56ef-1234567890ab") == "1234abcd-12ab-34cd-56ef-1234567890ab")
        #expect(try awsKeyID(fromName: "awskms:key-id=alias/root-ca;region=us-east-1") == "alias/root-ca")
        #expect(try awsKeyID(fromName: "alias/root-ca") == "alias/root-ca")
        #expect(try awsKeyID(fromName: "awskms:alias/root-ca") == "alias/root-ca")
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        #expect(try awsKeyID(fromName: arn) == arn)
        #expect(try awsKeyID(fromName: "awskms:key-id=" + arn) == arn)
        #expect(throws: AWSKMSError.self) { try awsKeyID(fromName: "awskms:region=us-east-1") }
        #expect(throws: AWSKMSError.self) { try awsKeyID(fromName: "") }
    }

    @Test("created keys get the alias alias/<name>-<first id segment>")
    func aliases() {
        #expect(KMSNames.alias(name: "root-ca", keyID: "1234abcd-12ab-34cd-56ef-1234567890ab") == "alias/root-ca-1234abcd")
        #expect(KMSNames.alias(name: "alias/intermediate", keyID: "feed-0001") == "alias/intermediate-feed")
        #expect(KMSNames.alias(name: "", keyID: "feed-0001") == nil)
    }

    @Test("algorithms and key specs map to KMS's names")
    func names() throws {
        #expect(try KMSNames.signingAlgorithm(.ecdsaSHA384).name == "ECDSA_SHA_384")
        #expect(try KMSNames.signingAlgorithm(.rsaPKCS1SHA512).name == "RSASSA_PKCS1_V1_5_SHA_512")
        #expect(try KMSNames.signingAlgorithm(.rsaPSSSHA256).name == "RSASSA_PSS_SHA_256")
        #expect(try KMSNames.keySpec(KeyRequest(name: "k", type: .ecP521)) == "ECC_NIST_P521")
        #expect(try KMSNames.keySpec(KeyRequest(name: "k", type: .rsa)) == "RSA_3072")
        #expect(try KMSNames.keySpec(KeyRequest(name: "k", type: .rsa, bits: 4096)) == "RSA_4096")
        #expect(throws: PluginError.self) { try KMSNames.keySpec(KeyRequest(name: "k", type: .rsa, bits: 1024)) }
        #expect(throws: PluginError.self) { try KMSNames.signingAlgorithm(.ed25519) }
    }

    @Test("errors carry the HTTP status, AWS's __type and message, and map to ABI codes")
    func errors() {
        let notFound = AWSKMSError.service(operation: "Sign", target: "alias/x", status: 400, type: "NotFoundException", message: "Alias not found").pluginError
        #expect(notFound.code == .notFound)
        #expect(notFound.message == "AWS KMS Sign on alias/x failed: HTTP 400 NotFoundException: Alias not found")
        #expect(AWSKMSError.service(operation: "Sign", target: "k", status: 403, type: "SignatureDoesNotMatch", message: "").pluginError.code == .auth)
        #expect(AWSKMSError.service(operation: "Sign", target: "k", status: 400, type: "ThrottlingException", message: "").isRetryable)
        #expect(AWSKMSError.service(operation: "Sign", target: "k", status: 503, type: "Service Unavailable", message: "").isRetryable)
        #expect(!AWSKMSError.service(operation: "Sign", target: "k", status: 400, type: "ValidationException", message: "").isRetryable)
    }
}
