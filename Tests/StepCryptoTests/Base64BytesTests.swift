import Foundation
import Testing

@testable import StepCrypto

/// The byte-level base64 decoder agrees with Foundation's on every length and on random input,
/// and refuses what Foundation refuses.
@Suite("Base64 over bytes")
struct Base64BytesTests {
    @Test("standard alphabet: every length 0...70 of random bytes, with and without line breaks")
    func standardRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Data(bytes).base64EncodedString()
            #expect(Base64Bytes.decodeStandard(encoded.utf8, ignoringWhitespace: false) == bytes)
            let wrapped = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(Base64Bytes.decodeStandard(("\n" + wrapped + "\r\n").utf8, ignoringWhitespace: true) == bytes)
            if wrapped.contains("\n") {
                #expect(Base64Bytes.decodeStandard(wrapped.utf8, ignoringWhitespace: false) == nil)
            }
        }
    }

    @Test("URL alphabet, unpadded: every length 0...70 agrees with Base64URL.encode")
    func urlRoundTrip() throws {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64URL.encode(bytes)
            #expect(Base64Bytes.decodeURL(encoded.utf8) == bytes)
            #expect(try Base64URL.decode(encoded) == Data(bytes))
        }
    }

    @Test("refused: wrong alphabet, bad padding, impossible lengths, stray bytes", arguments: [
        ("QUJD+A==", false, "standard characters in base64url"),
        ("QUJD_A", true, "base64url characters in standard"),
        ("QUJDRA=", true, "one padding character short"),
        ("QUJDR===", true, "three padding characters"),
        ("QU=JD", true, "padding in the middle"),
        ("QUJDR", true, "a length of 4n+1"),
        ("QUJD:x", true, "a header colon"),
        ("QUJDRA==", false, "padding in base64url"),
        ("QUJ DRA", false, "whitespace in base64url"),
        ("Q", false, "a base64url length of 4n+1"),
    ])
    func refused(input: String, standard: Bool, why: String) {
        let decoded = standard ? Base64Bytes.decodeStandard(input.utf8, ignoringWhitespace: true) : Base64Bytes.decodeURL(input.utf8)
        #expect(decoded == nil, "\(why): \(input)")
        if standard { #expect(Data(base64Encoded: input.filter { !$0.isWhitespace }) == nil, "Foundation agrees: \(why)") }
    }
}
