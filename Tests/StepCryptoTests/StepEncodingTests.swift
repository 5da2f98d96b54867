import Foundation
import Testing

@testable import StepCrypto

/// Our encoders produce the same bytes as step's (Go's) for the same key.
@Suite("Byte compatibility with step's encoders")
struct StepEncodingTests {
    @Test("SEC 1 of a fixture CA key equals what step encrypted", arguments: ["secrets/intermediate_ca_key", "secrets/root_ca_key"])
    func sec1MatchesStep(_ path: String) throws {
        let pem = try TestSupport.fixture("steppath/\(path)")
        let block = try #require(try PEMBlock.parseAll(pem).first)
        let stepDER = try LegacyPEMEncryption.decrypt(block, password: try TestSupport.fixturePassword)
        let material = try PrivateKeyFile.read(pem: pem, password: try TestSupport.fixturePassword)
        #expect(material.sec1DER(includeCurve: true) == stepDER)

        // Re-encrypting gives a file of the same shape: same headers, same body length.
        let ours = try #require(try PEMBlock.parseAll(try PrivateKeyFile.legacyEncryptedPEM(material, password: Data("p".utf8))).first)
        #expect(ours.type == block.type)
        #expect(ours.headers.map(\.name) == block.headers.map(\.name))
        #expect(ours.headers.first?.value == block.headers.first?.value)
        #expect(ours.header(named: "DEK-Info")?.count == block.header(named: "DEK-Info")?.count)
        #expect(ours.bytes.count == block.bytes.count)
    }
}
