import Foundation
import SwiftASN1
import Testing
import X509
import StepCrypto
@testable import Host

/// The direct encoder of step's default leaf writes exactly what swift-certificates writes for
/// the same certificate, and gives way to it where it does not apply.
@Suite("default leaf: direct encoding")
struct DefaultLeafEncoderTests {
    static let issuerTypes: [KeyType] = [.ecdsaP256, .ecdsaP384, .ed25519]
    static let leafTypes: [KeyType] = [.ecdsaP256, .ecdsaP384, .ecdsaP521, .ed25519]

    struct Setup {
        let issuer: Certificate
        let builder: LeafBuilder

        init(issuerType: KeyType) throws {
            let rootKey = try PrivateKeyMaterial.generate(issuerType)
            let root = try CertificateFactory.makeRoot(name: "Encoder", key: rootKey, validity: 3600)
            let intermediateKey = try PrivateKeyMaterial.generate(issuerType)
            issuer = try CertificateFactory.makeIntermediate(name: "Encoder", key: intermediateKey, root: root, rootKey: rootKey,
                                                             validity: 3600)
            builder = try LeafBuilder(issuer: issuer, issuerKey: CASigningKey(file: intermediateKey, path: "unit"))
        }

        /// Builds the same leaf both ways.
        func both(keyType: KeyType, subject: DistinguishedName, sans: [String], validity: Validity)
            async throws -> (direct: Certificate, generic: Certificate, usedEncoder: Bool) {
            let key = try PrivateKeyMaterial.generate(keyType)
            let csr = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key.certificatePrivateKey,
                                                    attributes: .init(), signatureAlgorithm: CertificateFactory.signatureAlgorithm(for: key))
            let der = try derBytes(csr)
            let keyInfo = DefaultLeafEncoder.canonicalKeyInfo(inCSR: der)
            let serial = CertificateFactory.randomSerialBytes()
            var request = LeafBuilder.Request(subject: subject, sans: SANSet(strings: sans), publicKey: csr.publicKey, validity: validity,
                                              provisionerExtension: ProvisionerExtension(type: 1, name: "ops@example.com", credentialID: "kid-1"),
                                              keyInfo: keyInfo, serial: serial)
            let direct = try Certificate(derEncoded: try await builder.build(request).der)
            request.keyInfo = nil
            let generic = try Certificate(derEncoded: try await builder.build(request).der)
            let usedEncoder = try keyInfo != nil && builder.encoder?.toBeSigned(
                serial: serial, validity: validity, subject: subject, keyInfo: keyInfo!, sans: request.sans,
                provisionerExtension: request.provisionerExtension?.makeExtension()) != nil
            return (direct, generic, usedEncoder)
        }
    }

    @Test("same TBSCertificate as swift-certificates, and a valid signature", arguments: issuerTypes, leafTypes)
    func sameBytes(issuerType: KeyType, leafType: KeyType) async throws {
        let setup = try Setup(issuerType: issuerType)
        let now = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970))
        let cases: [(DistinguishedName, [String])] = [
            (try SubjectNames.commonName("leaf.example.com"), ["leaf.example.com", "10.0.0.1", "ops@example.com", "spiffe://x/y"]),
            (try SubjectNames.commonName("Ünïcode name"), []),
            (DistinguishedName(), ["only-sans.example.com", "::1"]),
        ]
        for (subject, sans) in cases {
            let validity = Validity(notBefore: now.addingTimeInterval(-60), notAfter: now.addingTimeInterval(86_400))
            let built = try await setup.both(keyType: leafType, subject: subject, sans: sans, validity: validity)
            #expect(built.usedEncoder)
            #expect(built.direct.tbsCertificateBytes == built.generic.tbsCertificateBytes)
            #expect(built.direct.signatureAlgorithm == built.generic.signatureAlgorithm)
            #expect(setup.issuer.publicKey.isValidSignature(built.direct.signature, for: built.direct))
        }
    }

    @Test("dates are rounded to the second like swift-certificates; years from 2050 go the generic way")
    func dates() async throws {
        let setup = try Setup(issuerType: .ecdsaP256)
        let cases: [(Date, Date, Bool)] = [
            (Date(timeIntervalSince1970: 1_000_000_000.4), Date(timeIntervalSince1970: 1_000_086_400.6), true),
            (Date(timeIntervalSince1970: -631_152_000), Date(timeIntervalSince1970: 951_782_400), true),  // 1950-01-01, 2000-02-29
            (Date(timeIntervalSince1970: 2_524_607_999), Date(timeIntervalSince1970: 2_524_608_000), false),  // 2049-12-31 23:59:59 → 2050
        ]
        for (notBefore, notAfter, direct) in cases {
            let built = try await setup.both(keyType: .ecdsaP256, subject: try SubjectNames.commonName("d"), sans: ["d"],
                                             validity: Validity(notBefore: notBefore, notAfter: notAfter))
            #expect(built.usedEncoder == direct)
            #expect(built.direct.tbsCertificateBytes == built.generic.tbsCertificateBytes)
            #expect(built.direct.notValidBefore == built.generic.notValidBefore)
        }
    }

    @Test("only canonical EC and Ed25519 keys are copied from the CSR")
    func keyInfoSelection() throws {
        let rsa = try PrivateKeyMaterial.generate(.rsa(bits: 2048))
        let csr = try CertificateSigningRequest(version: .v1, subject: try SubjectNames.commonName("r"), privateKey: rsa.certificatePrivateKey,
                                                attributes: .init(), signatureAlgorithm: .sha256WithRSAEncryption)
        #expect(DefaultLeafEncoder.canonicalKeyInfo(inCSR: try derBytes(csr)) == nil)
        #expect(DefaultLeafEncoder.canonicalKeyInfo(inCSR: [0x30, 0x03, 0x30, 0x01]) == nil)
        #expect(DefaultLeafEncoder.canonicalKeyInfo(inCSR: []) == nil)
    }
}

private func derBytes(_ csr: CertificateSigningRequest) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(csr)
    return serializer.serializedBytes
}
