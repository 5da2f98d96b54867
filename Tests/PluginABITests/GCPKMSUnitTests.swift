import _CryptoExtras
import Crypto
import Foundation
import Testing
@testable import GCPKMS
import PluginKit

/// The Cloud KMS plugin's pieces without a server: names, URIs, settings, the JWT assertion,
/// CRC32C and the algorithm mapping.
@Suite("GCPKMS unit")
struct GCPKMSUnitTests {
    @Test("CRC32C matches the Castagnoli check value")
    func crc32c() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("key names: bare, cloudkms:, cloudkms:name=, with and without version")
    func names() throws {
        let full = "projects/p-1/locations/us-east1/keyRings/ring_a/cryptoKeys/key.b/cryptoKeyVersions/3"
        for text in [full, "cloudkms:" + full, "cloudkms:name=\(full);credentials-file=/x"] {
            let name = try CloudKMSName(parsing: text, requireVersion: true)
            #expect(name.project == "p-1" && name.location == "us-east1" && name.keyRing == "ring_a")
            #expect(name.cryptoKey == "key.b" && name.version == "3" && name.resourceName == full)
        }
        let key = try CloudKMSName(parsing: "projects/p/locations/global/keyRings/r/cryptoKeys/k", requireVersion: false)
        #expect(key.version == nil && key.keyRingName == "projects/p/locations/global/keyRings/r")
        for bad in ["projects/p/locations/global/keyRings/r/cryptoKeys/k",  // no version where one is required
                    "projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/x",
                    "projects/p/locations/global/keyRing/r/cryptoKeys/k/cryptoKeyVersions/1",
                    "projects//locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1", "awskms:key-id=1"] {
            #expect(throws: GCPKMSError.self, "\(bad)") { _ = try CloudKMSName(parsing: bad, requireVersion: true) }
        }
    }

    @Test("the URI's endpoint, ca-file and credentials-file; defaults and precedence")
    func settings() throws {
        let credentials = try serviceAccountJSON(email: "sa@p.iam.gserviceaccount.com", tokenURI: "https://127.0.0.1:9/token")
        let files: [String: [UInt8]] = ["/creds.json": credentials, "/env.json": credentials, "/ca.pem": [1], "/ssl.pem": [2]]
        let read: (String) -> [UInt8]? = { files[$0] }

        let fromURI = try GCPKMSSettings.resolve(
            stanza: GCPKMSStanza(uri: "cloudkms:credentials-file=/creds.json;endpoint=https://127.0.0.1:8443/;ca-file=/ca.pem"),
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/env.json", "SSL_CERT_FILE": "/ssl.pem"], readFile: read)
        #expect(fromURI.credentialsPath == "/creds.json")
        #expect(fromURI.endpoint == "https://127.0.0.1:8443", "a trailing slash is dropped")
        #expect(fromURI.trustRootFiles == ["/ca.pem", "/ssl.pem"])
        #expect(fromURI.credentials.tokenURI == "https://127.0.0.1:9/token")

        let fromStanza = try GCPKMSSettings.resolve(stanza: GCPKMSStanza(credentialsFile: "/creds.json"),
                                                    environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/env.json"], readFile: read)
        #expect(fromStanza.credentialsPath == "/creds.json" && fromStanza.endpoint == "https://cloudkms.googleapis.com")
        #expect(fromStanza.trustRootFiles.isEmpty)

        let fromEnvironment = try GCPKMSSettings.resolve(stanza: GCPKMSStanza(),
                                                         environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/env.json"], readFile: read)
        #expect(fromEnvironment.credentialsPath == "/env.json")

        let noCredentials = #expect(throws: GCPKMSError.self) {
            _ = try GCPKMSSettings.resolve(stanza: GCPKMSStanza(), environment: ["HOME": "/nohome"], readFile: read)
        }
        #expect(noCredentials?.pluginError.message.contains("GOOGLE_APPLICATION_CREDENTIALS") == true)
        let missingCA = #expect(throws: GCPKMSError.self) {
            _ = try GCPKMSSettings.resolve(stanza: GCPKMSStanza(uri: "cloudkms:credentials-file=/creds.json;ca-file=/none.pem"),
                                           environment: [:], readFile: read)
        }
        #expect(missingCA?.pluginError.message.contains("/none.pem") == true)
        #expect(throws: GCPKMSError.self) {
            _ = try GCPKMSSettings.resolve(stanza: GCPKMSStanza(uri: "cloudkms:credentials-file=/creds.json;endpoint=ftp://x"),
                                           environment: [:], readFile: read)
        }
    }

    @Test("the JWT assertion: RS256 header with kid, iss/scope/aud/iat/exp claims, a signature that verifies")
    func jwtAssertion() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let jwt = try JWTAssertion.make(email: "sa@p.iam.gserviceaccount.com", keyID: "kid-1", key: key,
                                        audience: "https://127.0.0.1:9/token", issuedAt: 1_700_000_000)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let header = try jsonObject(base64URL(parts[0]))
        #expect(header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT" && header["kid"] as? String == "kid-1")
        let claims = try jsonObject(base64URL(parts[1]))
        #expect(claims["iss"] as? String == "sa@p.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["aud"] as? String == "https://127.0.0.1:9/token")
        #expect(claims["iat"] as? Int == 1_700_000_000 && claims["exp"] as? Int == 1_700_003_600)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try base64URL(parts[2]))
        #expect(key.publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5))
        #expect(!key.publicKey.isValidSignature(signature, for: Data((parts[0] + "." + parts[0]).utf8), padding: .insecurePKCS1v1_5))
    }

    @Test("key requests map to Cloud KMS algorithms as step-ca maps them")
    func algorithms() throws {
        func algorithm(_ type: KeyType, bits: Int = 0, _ signature: SignatureAlgorithm? = nil) throws -> String {
            try CloudKMSAlgorithms.keyAlgorithm(KeyRequest(name: "x", type: type, bits: bits, signatureAlgorithm: signature))
        }
        #expect(try algorithm(.ecP256) == "EC_SIGN_P256_SHA256")
        #expect(try algorithm(.ecP384) == "EC_SIGN_P384_SHA384")
        #expect(try algorithm(.rsa) == "RSA_SIGN_PKCS1_3072_SHA256")
        #expect(try algorithm(.rsa, bits: 2048, .rsaPSSSHA256) == "RSA_SIGN_PSS_2048_SHA256")
        #expect(try algorithm(.rsa, bits: 4096, .rsaPKCS1SHA512) == "RSA_SIGN_PKCS1_4096_SHA512")
        #expect(throws: PluginError.self) { _ = try algorithm(.rsa, bits: 1024) }
        #expect(throws: PluginError.self) { _ = try algorithm(.ecP521) }
        #expect(CloudKMSAlgorithms.signatureAlgorithm(of: "RSA_SIGN_PSS_3072_SHA256") == .rsaPSSSHA256)
        #expect(CloudKMSAlgorithms.signatureAlgorithm(of: "EC_SIGN_P384_SHA384") == .ecdsaSHA384)
    }

    @Test("errors carry the HTTP status, Google's status and message, and map to ABI codes")
    func errors() {
        let notFound = GCPKMSError.service(operation: "getPublicKey", target: "projects/p/x", httpStatus: 404,
                                           status: "NOT_FOUND", message: "CryptoKeyVersion projects/p/x not found.").pluginError
        #expect(notFound.code == .notFound)
        #expect(notFound.message == "Cloud KMS getPublicKey on projects/p/x failed: HTTP 404 NOT_FOUND: CryptoKeyVersion projects/p/x not found.")
        #expect(GCPKMSError.service(operation: "o", target: "t", httpStatus: 403, status: "PERMISSION_DENIED", message: "").pluginError.code == .auth)
        #expect(GCPKMSError.service(operation: "o", target: "t", httpStatus: 503, status: "UNAVAILABLE", message: "").isRetryable)
        #expect(GCPKMSError.service(operation: "o", target: "t", httpStatus: 429, status: "RESOURCE_EXHAUSTED", message: "").isRetryable)
        #expect(!GCPKMSError.service(operation: "o", target: "t", httpStatus: 400, status: "INVALID_ARGUMENT", message: "").isRetryable)
    }

    @Test("signature answers are checked: verified digest CRC32C, signature CRC32C, name")
    func signatureIntegrity() throws {
        let signature: [UInt8] = [1, 2, 3, 4]
        func answer(verified: Bool = true, crc: UInt32? = nil, name: String = "k") -> CloudKMSAPI.AsymmetricSignResponse {
            CloudKMSAPI.AsymmetricSignResponse(signature: Data(signature).base64EncodedString(),
                                               signatureCrc32c: String(crc ?? CRC32C.checksum(signature)),
                                               verifiedDigestCrc32c: verified, name: name)
        }
        #expect(try GCPKeyManager.checkedSignature(answer(), resource: "k") == signature)
        #expect(throws: GCPKMSError.self) { _ = try GCPKeyManager.checkedSignature(answer(verified: false), resource: "k") }
        #expect(throws: GCPKMSError.self) { _ = try GCPKeyManager.checkedSignature(answer(crc: 7), resource: "k") }
        #expect(throws: GCPKMSError.self) { _ = try GCPKeyManager.checkedSignature(answer(name: "other"), resource: "k") }
    }
}

private func base64URL(_ text: String) throws -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { throw TestSetupError("not base64url: \(text)") }
    return data
}

private func jsonObject(_ data: Data) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw TestSetupError("not a JSON object")
    }
    return object
}

/// A service-account credentials file with a fresh RSA key.
func serviceAccountJSON(email: String, tokenURI: String, keyID: String = "test-key") throws -> [UInt8] {
    let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    let object: [String: String] = [
        "type": "service_account", "project_id": "p", "private_key_id": keyID,
        "private_key": key.pkcs8PEMRepresentation, "client_email": email, "token_uri": tokenURI,
    ]
    return Array(try JSONSerialization.data(withJSONObject: object))
}
