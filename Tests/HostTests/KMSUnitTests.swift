import Foundation
import Testing
import StepConfig
@testable import Host

@Suite("KMS command units")
struct KMSUnitTests {
    @Test("kms URIs are shown with their PIN and management key masked")
    func redaction() {
        #expect(KMSURIText.redacted("pkcs11:module-path=/usr/lib/softhsm/libsofthsm2.so;token=ca?pin-value=123456")
                == "pkcs11:module-path=/usr/lib/softhsm/libsofthsm2.so;token=ca?pin-value=***")
        #expect(KMSURIText.redacted("yubikey:management-key=0102030405060708;serial=1?pin-value=123456&x=1")
                == "yubikey:management-key=***;serial=1?pin-value=***&x=1")
        #expect(KMSURIText.redacted("pkcs11:token=ca;pin-source=/etc/pin") == "pkcs11:token=ca;pin-source=/etc/pin")
        #expect(KMSURIText.redacted("filekms:dir=/keys") == "filekms:dir=/keys")
        let uri = "pkcs11:token=ca?pin-value=987654"
        #expect(KMSURIText.scrub("open \(uri): PIN 987654 rejected", uri: uri) == "open pkcs11:token=ca?pin-value=***: PIN *** rejected")
    }

    @Test("a plugin's own key scheme in ca.json survives path resolution; files and softkms stay files")
    func managedKeyReference() {
        let filekms = KMSConfig(type: "filekms", uri: "filekms:dir=/keys")
        #expect(CAMaterial.managedKeyReference("/step/filekms:name=intermediate", kms: filekms) == "filekms:name=intermediate")
        #expect(CAMaterial.managedKeyReference("/step/secrets/intermediate_ca_key", kms: filekms) == nil)
        #expect(CAMaterial.managedKeyReference("/step/filekms:name=intermediate", kms: nil) == nil)
        #expect(CAMaterial.managedKeyReference("pkcs11:id=7331;object=intermediate", kms: nil) == "pkcs11:id=7331;object=intermediate")
        #expect(CAMaterial.managedKeyReference("yubikey:slot-id=9c", kms: KMSConfig(type: "yubikey")) == "yubikey:slot-id=9c")
        #expect(CAMaterial.managedKeyReference("softkms:/step/secrets/key", kms: nil) == nil)
        let cloud = KMSConfig(type: "cloudkms", uri: "cloudkms:credentials-file=/c.json")
        let name = "projects/p/locations/global/keyRings/ca/cryptoKeys/intermediate/cryptoKeyVersions/1"
        #expect(CAMaterial.managedKeyReference("/step/" + name, kms: cloud) == name)
        #expect(CAMaterial.managedKeyReference("/step/secrets/intermediate_ca_key", kms: cloud) == nil)
        #expect(CAMaterial.managedKeyReference("/step/" + name, kms: nil) == nil)
        let untyped = KMSConfig(uri: "filekms:dir=/keys")
        #expect(CAMaterial.managedKeyReference("/step/filekms:name=root", kms: untyped) == "filekms:name=root")
    }

    @Test("--kty/--crv/--size as step spells them")
    func keyTypes() throws {
        #expect(try KMSKeyTypeFlags.keyType(kty: "EC", crv: nil, size: nil) == .ecP256)
        #expect(try KMSKeyTypeFlags.keyType(kty: "ec", crv: "P-384", size: nil) == .ecP384)
        #expect(try KMSKeyTypeFlags.keyType(kty: "EC", crv: "P521", size: nil) == .ecP521)
        #expect(try KMSKeyTypeFlags.keyType(kty: "RSA", crv: nil, size: 3072) == .rsa)
        #expect(try KMSKeyTypeFlags.keyType(kty: "OKP", crv: "Ed25519", size: nil) == .ed25519)
        #expect(throws: StartupError.self) { try KMSKeyTypeFlags.keyType(kty: "RSA", crv: nil, size: 1024) }
        #expect(throws: StartupError.self) { try KMSKeyTypeFlags.keyType(kty: "EC", crv: "P999", size: nil) }
    }

    @Test("--not-after takes a duration or an RFC 3339 time")
    func validity() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try CertificateCreateCommand.validityEnd("87600h", from: now, default: 1) == now.addingTimeInterval(87600 * 3600))
        #expect(try CertificateCreateCommand.validityEnd(nil, from: now, default: 60) == now.addingTimeInterval(60))
        #expect(try CertificateCreateCommand.validityEnd("2030-01-01T00:00:00Z", from: now, default: 1)
                == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(throws: StartupError.self) { try CertificateCreateCommand.validityEnd("soon", from: now, default: 1) }
        #expect(throws: StartupError.self) { try CertificateCreateCommand.validityEnd("2020-01-01T00:00:00Z", from: now, default: 1) }
    }
}
