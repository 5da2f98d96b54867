import Foundation
import StepCrypto
import Testing

@Suite("PEM blocks")
struct PEMBlockTests {
    @Test("Encoding uses 64-column lines, headers and a blank line, like Go's pem.Encode")
    func encoding() {
        let block = PEMBlock(
            type: "EC PRIVATE KEY",
            headers: [.init(name: "Proc-Type", value: "4,ENCRYPTED"), .init(name: "DEK-Info", value: "AES-256-CBC,00")],
            bytes: Data(repeating: 0xab, count: 100)
        )
        let lines = block.encoded.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "-----BEGIN EC PRIVATE KEY-----")
        #expect(lines[1] == "Proc-Type: 4,ENCRYPTED")
        #expect(lines[2] == "DEK-Info: AES-256-CBC,00")
        #expect(lines[3] == "")
        // 100 bytes are 136 base64 characters: 64 + 64 + 8.
        #expect(lines[4].count == 64)
        #expect(lines[5].count == 64)
        #expect(lines[6].count == 8)
        #expect(lines[7] == "-----END EC PRIVATE KEY-----")
        #expect(lines[8] == "")
        #expect(PEMBlock(type: "X", bytes: Data()).encoded == "-----BEGIN X-----\n-----END X-----\n")
    }

    @Test("Parsing keeps headers, tolerates CRLF and surrounding text, and round-trips")
    func parsing() throws {
        let block = PEMBlock(type: "CERTIFICATE", headers: [.init(name: "Name", value: "value")], bytes: Data((0..<200).map { UInt8($0) }))
        let text = "preamble\r\n" + block.encoded.replacingOccurrences(of: "\n", with: "\r\n") + "trailer\n" + block.encoded
        let blocks = try PEMBlock.parseAll(text)
        #expect(blocks == [block, block])
        #expect(blocks[0].header(named: "name") == "value")
        #expect(blocks[0].header(named: "missing") == nil)
    }
}
