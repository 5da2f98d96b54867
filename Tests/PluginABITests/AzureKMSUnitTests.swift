import _CryptoExtras
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import AzureKMS
import PluginKit

/// The Azure Key Vault plugin's pieces without a server: names, URIs, settings, the algorithm
/// mapping, JWK and signature conversions, Retry-After, error mapping.
@Suite("AzureKMS unit")
struct AzureKMSUnitTests {
    @Test("key names: name, vault, version and hsm, in step-ca's form")
    func names() throws {
        let full = try AzureKeyName(parsing: "azurekms:name=my-key;vault=my-vault?version=0123456789abcdef0123456789abcdef&hsm=true")
        #expect(full == AzureKeyName(name: "my-key", vault: "my-vault", version: "0123456789abcdef0123456789abcdef", hsm: true))
        #expect(full.uriString == "azurekms:name=my-key;vault=my-vault?version=0123456789abcdef0123456789abcdef")
        let plain = try AzureKeyName(parsing: " azurekms:vault=v-1;name=root ")
        #expect(plain == AzureKeyName(name: "root", vault: "v-1"))
        #expect(try AzureKeyName(parsing: plain.uriString) == plain)
        #expect(try AzureKeyName(parsing: "azurekms:name=k;version=abc;hsm=false").version == "abc")
        #expect(try AzureKeyName(parsing: "azurekms:name=k;hsm=false").hsm == false)
        #expect(try AzureKeyName(parsing: "azurekms:name=a%2Db").name == "a-b", "percent-escapes are decoded")
        for bad in ["azurekms:vault=v", "name=k;vault=v", "cloudkms:name=k", "azurekms:name=a_b", "azurekms:name=k;vault=ab",
                    "azurekms:name=k;vault=v!v", "azurekms:name=k?version=a-b", "azurekms:name=k?hsm=maybe",
                    "azurekms:name=k;novalue", "azurekms:name=" + String(repeating: "a", count: 128), "azurekms:name=%zz"] {
            #expect(throws: AzureKMSError.self, "\(bad)") { _ = try AzureKeyName(parsing: bad) }
        }
    }

    @Test("settings: credentials from the URI, then the environment, then the managed identity")
    func credentials() throws {
        let read: (String) -> [UInt8]? = { ["/ca.pem": [1], "/ssl.pem": [2]][$0] }
        let uri = "azurekms:client-id=c1;client-secret=s%3Bx;tenant-id=t1;vault=my-vault"
        let fromURI = try AzureKMSSettings.resolve(
            stanza: AzureKMSStanza(uri: uri),
            environment: ["AZURE_TENANT_ID": "t2", "AZURE_CLIENT_ID": "c2", "AZURE_CLIENT_SECRET": "s2"], readFile: read)
        #expect(fromURI.credentials == .clientSecret(tenantID: "t1", clientID: "c1", secret: "s;x"))
        #expect(fromURI.defaultVault == "my-vault" && fromURI.endpoint == nil && !fromURI.defaultHSM)
        #expect(fromURI.authorityHost == "https://login.microsoftonline.com")
        #expect(!fromURI.credentials.summary.contains("s;x"))

        let fromEnvironment = try AzureKMSSettings.resolve(
            stanza: AzureKMSStanza(uri: "azurekms:vault=my-vault"),
            environment: ["AZURE_TENANT_ID": "t2", "AZURE_CLIENT_ID": "c2", "AZURE_CLIENT_SECRET": "s2",
                          "AZURE_AUTHORITY_HOST": "https://127.0.0.1:9/"], readFile: read)
        #expect(fromEnvironment.credentials == .clientSecret(tenantID: "t2", clientID: "c2", secret: "s2"))
        #expect(fromEnvironment.authorityHost == "https://127.0.0.1:9", "a trailing slash is dropped")
        let authorityInURI = try AzureKMSSettings.resolve(
            stanza: AzureKMSStanza(uri: "azurekms:authority-host=https://127.0.0.2:7"),
            environment: ["AZURE_AUTHORITY_HOST": "https://127.0.0.1:9/"], readFile: read)
        #expect(authorityInURI.authorityHost == "https://127.0.0.2:7", "the URI's authority-host comes first")

        let managed = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(uri: "azurekms:client-id=mi-1"),
                                                   environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:8"],
                                                   readFile: read)
        #expect(managed.credentials == .managedIdentity(clientID: "mi-1"))
        #expect(managed.imdsHost == "http://127.0.0.1:8")
        let systemAssigned = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(), environment: [:], readFile: read)
        #expect(systemAssigned.credentials == .managedIdentity(clientID: nil))
        #expect(systemAssigned.imdsHost == "http://169.254.169.254")

        let partial = #expect(throws: AzureKMSError.self) {
            _ = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(uri: "azurekms:client-secret=TOPSECRET;tenant-id=t"),
                                             environment: [:], readFile: read)
        }
        #expect(partial?.pluginError.message.contains("client-id") == true, "\(String(describing: partial))")
        #expect(partial?.pluginError.message.contains("TOPSECRET") == false)
    }

    @Test("settings: environment (cloud), endpoint, ca-file and SSL_CERT_FILE, vault URLs")
    func cloudAndEndpoint() throws {
        let read: (String) -> [UInt8]? = { ["/ca.pem": [1], "/ssl.pem": [2]][$0] }
        let china = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(uri: "azurekms:environment=AzureChinaCloud;hsm=true"),
                                                 environment: [:], readFile: read)
        #expect(china.cloud == .chinaCloud && china.authorityHost == "https://login.chinacloudapi.cn" && china.defaultHSM)
        #expect(try china.vaultURL(for: AzureKeyName(name: "k", vault: "My-Vault"), text: "k") == "https://my-vault.vault.azure.cn")
        #expect(throws: AzureKMSError.self) { _ = try china.vaultURL(for: AzureKeyName(name: "k"), text: "k") }

        let overridden = try AzureKMSSettings.resolve(
            stanza: AzureKMSStanza(uri: "azurekms:endpoint=https://127.0.0.1:8443/;ca-file=/ca.pem;vault=dflt"),
            environment: ["SSL_CERT_FILE": "/ssl.pem"], readFile: read)
        #expect(overridden.endpoint == "https://127.0.0.1:8443")
        #expect(overridden.trustRootFiles == ["/ca.pem", "/ssl.pem"])
        #expect(try overridden.vaultURL(for: AzureKeyName(name: "k", vault: "other"), text: "k") == "https://127.0.0.1:8443")
        let publicCloud = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(uri: "azurekms:vault=dflt"), environment: [:], readFile: read)
        #expect(try publicCloud.vaultURL(for: AzureKeyName(name: "k"), text: "k") == "https://dflt.vault.azure.net")
        #expect(publicCloud.cloud.vaultResource == "https://vault.azure.net")

        for bad in ["azurekms:environment=Mars", "azurekms:endpoint=ftp://x", "azurekms:ca-file=/missing.pem",
                    "azurekms:vault=x", "azurekms:client-id=c;client-secret=s;tenant-id=t/../x", "cloudkms:x=y"] {
            #expect(throws: AzureKMSError.self, "\(bad)") {
                _ = try AzureKMSSettings.resolve(stanza: AzureKMSStanza(uri: bad), environment: [:], readFile: read)
            }
        }
    }

    @Test("token requests: client credentials form and IMDS query, secret only in the body")
    func tokenRequests() throws {
        let transport = try HTTPTransport(trustRootFiles: [])
        defer { transport.shutdown() }
        let secret = AzureKMSSettings(credentials: .clientSecret(tenantID: "t1", clientID: "c 1", secret: "p&ss"),
                                      cloud: .publicCloud, authorityHost: "https://login.example", imdsHost: "http://imds.example",
                                      endpoint: nil, defaultVault: nil, defaultHSM: false, trustRootFiles: [])
        let tokens = TokenSource(settings: secret, transport: transport)
        let request = try tokens.request()
        #expect(request.url.absoluteString == "https://login.example/t1/oauth2/v2.0/token")
        #expect(request.method == .POST)
        #expect(tokens.tokenURL == "https://login.example/t1/oauth2/v2.0/token")
        var managed = secret
        managed.credentials = .managedIdentity(clientID: "mi")
        let imds = try TokenSource(settings: managed, transport: transport).request()
        #expect(imds.url.absoluteString
                == "http://imds.example/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&client_id=mi")
        #expect(imds.headers["Metadata"] == ["true"])
        #expect(TokenSource.formEncode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9")
        let answer = try JSONDecoder().decode(TokenSource.Answer.self, from: Data(#"{"access_token":"x","expires_in":"3599"}"#.utf8))
        #expect(answer.expires_in == 3599, "IMDS sends expires_in as a string")
        let numeric = try JSONDecoder().decode(TokenSource.Answer.self, from: Data(#"{"access_token":"x","expires_in":60}"#.utf8))
        #expect(numeric.expires_in == 60)
    }

    @Test("algorithms: JWA names, digest sizes, curves; create bodies with -HSM and RSA sizes")
    func algorithms() throws {
        for (algorithm, alg, length, curve) in [(SignatureAlgorithm.ecdsaSHA256, "ES256", 32, "P-256"), (.ecdsaSHA384, "ES384", 48, "P-384"),
                                                (.ecdsaSHA512, "ES512", 64, "P-521"), (.rsaPSSSHA384, "PS384", 48, nil),
                                                (.rsaPKCS1SHA512, "RS512", 64, nil), (.rsaPKCS1SHA256, "RS256", 32, nil)] as [(SignatureAlgorithm, String, Int, String?)] {
            let mapped = try KeyVaultAlgorithms.signing(algorithm)
            #expect(mapped.alg == alg && mapped.digestLength == length && mapped.curve == curve, "\(algorithm)")
        }
        #expect(throws: PluginError.self) { _ = try KeyVaultAlgorithms.signing(.ed25519) }

        let ec = try KeyVaultAlgorithms.createRequest(KeyRequest(name: "k", type: .ecP384), hsm: true)
        #expect(ec.kty == "EC-HSM" && ec.crv == "P-384" && ec.key_size == nil && ec.key_ops == ["sign", "verify"])
        let rsa = try KeyVaultAlgorithms.createRequest(KeyRequest(name: "k", type: .rsa), hsm: false)
        #expect(rsa.kty == "RSA" && rsa.key_size == 3072 && rsa.crv == nil)
        let byAlgorithm = try KeyVaultAlgorithms.createRequest(
            KeyRequest(name: "k", type: .ecP256, bits: 4096, signatureAlgorithm: .rsaPSSSHA256), hsm: true)
        #expect(byAlgorithm.kty == "RSA-HSM" && byAlgorithm.key_size == 4096)
        #expect(throws: PluginError.self) { _ = try KeyVaultAlgorithms.createRequest(KeyRequest(name: "k", type: .rsa, bits: 1024), hsm: false) }
        #expect(throws: PluginError.self) { _ = try KeyVaultAlgorithms.createRequest(KeyRequest(name: "k", type: .ed25519), hsm: false) }
    }

    @Test("JWKs become the DER public keys swift-crypto makes; raw r‖s becomes a DER signature that verifies")
    func conversions() throws {
        let p256 = P256.Signing.PrivateKey()
        let point = Array(p256.publicKey.x963Representation)
        let jwk = KeyVaultAPI.JSONWebKey(kid: "https://v/keys/k/1", kty: "EC-HSM", key_ops: ["sign"], crv: "P-256",
                                         x: Base64URL.encode(point[1...32]), y: Base64URL.encode(point[33...64]))
        #expect(try PublicKeys.spki(of: jwk) == Array(p256.publicKey.derRepresentation))
        let digest = Array(SHA256.hash(data: Array("message".utf8)))
        let raw = Array(try p256.signature(for: SHA256.hash(data: Array("message".utf8))).rawRepresentation)
        let der = try PublicKeys.derSignature(raw: raw, curve: "P-256")
        #expect(p256.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: der),
                                                for: SHA256.hash(data: Array("message".utf8))))
        #expect(digest.count == 32)
        #expect(throws: Error.self) { _ = try PublicKeys.derSignature(raw: Array(raw.dropLast()), curve: "P-256") }

        let p521 = P521.Signing.PrivateKey()
        let point521 = Array(p521.publicKey.x963Representation)
        // Leading zero bytes may be dropped by a writer; they are restored.
        let x = Array(point521[1...66].drop { $0 == 0 })
        let jwk521 = KeyVaultAPI.JSONWebKey(kty: "EC", crv: "P-521", x: Base64URL.encode(x), y: Base64URL.encode(point521[67...]))
        #expect(try PublicKeys.spki(of: jwk521) == Array(p521.publicKey.derRepresentation))

        let rsaKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let components = try rsaKey.publicKey.getKeyPrimitives()
        let jwkRSA = KeyVaultAPI.JSONWebKey(kty: "RSA", n: Base64URL.encode(components.modulus), e: Base64URL.encode(components.publicExponent))
        #expect(try PublicKeys.spki(of: jwkRSA) == Array(rsaKey.publicKey.derRepresentation))

        var broken = jwk
        broken.y = Base64URL.encode([UInt8](repeating: 7, count: 32))
        #expect(throws: Error.self) { _ = try PublicKeys.spki(of: broken) }
        #expect(throws: Error.self) { _ = try PublicKeys.spki(of: KeyVaultAPI.JSONWebKey(kty: "oct")) }
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test("Retry-After in seconds and Azure's millisecond headers, capped")
    func retryAfter() {
        func answer(_ headers: [(String, String)]) -> HTTPAnswer {
            HTTPAnswer(status: 429, headers: HTTPHeaders(headers), body: Data())
        }
        #expect(answer([("Retry-After", "2")]).retryAfter(limit: .seconds(30)) == .seconds(2))
        #expect(answer([("retry-after-ms", "250"), ("Retry-After", "2")]).retryAfter(limit: .seconds(30)) == .milliseconds(250))
        #expect(answer([("x-ms-retry-after-ms", "1500")]).retryAfter(limit: .seconds(30)) == .milliseconds(1500))
        #expect(answer([("Retry-After", "3600")]).retryAfter(limit: .seconds(30)) == .seconds(30))
        #expect(answer([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]).retryAfter(limit: .seconds(30)) == nil)
        #expect(answer([]).retryAfter(limit: .seconds(30)) == nil)
    }

    @Test("errors: Key Vault codes and HTTP statuses map to ABI codes; messages carry status and code")
    func errors() {
        let notFound = AzureKMSError.service(operation: "get key", target: "azurekms:name=k", httpStatus: 404,
                                             code: "KeyNotFound", message: "A key with (name/id) k was not found in this key vault.")
        #expect(notFound.pluginError.code == .notFound)
        #expect(notFound.pluginError.message == "Azure Key Vault get key on azurekms:name=k failed: HTTP 404 KeyNotFound: A key with (name/id) k was not found in this key vault.")
        #expect(AzureKMSError.service(operation: "s", target: "t", httpStatus: 403, code: "Forbidden", message: "").pluginError.code == .auth)
        #expect(AzureKMSError.service(operation: "s", target: "t", httpStatus: 400, code: "BadParameter", message: "").pluginError.code == .invalidArgument)
        let throttled = AzureKMSError.service(operation: "s", target: "t", httpStatus: 429, code: "Throttled", message: "")
        #expect(throttled.pluginError.code == .unavailable && throttled.isRetryable)
        #expect(AzureKMSError.service(operation: "s", target: "t", httpStatus: 502, code: "HTTP_502", message: "").isRetryable)
        #expect(!notFound.isRetryable)
        let token = AzureKMSError.token(url: "https://login/t/oauth2/v2.0/token", httpStatus: 401, error: "invalid_client", description: "AADSTS7000215: x")
        #expect(token.pluginError.code == .auth && !token.isRetryable)
        #expect(AzureKMSError.transport(operation: "sign", target: "t", attempts: 5, underlying: "refused").isRetryable)
        #expect(KeyVaultClient.firstSentence("A key was not found in this key vault. If you recently deleted it, see https://x.")
                == "A key was not found in this key vault.")
        #expect(TokenSource.firstLine("AADSTS7000215: Invalid client secret.\r\nTrace ID: 1") == "AADSTS7000215: Invalid client secret.")
    }
}
