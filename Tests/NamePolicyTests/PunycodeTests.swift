@testable import NamePolicy
import Testing

@Suite("Punycode and IDNA")
struct PunycodeTests {
    @Test("RFC 3492 and common labels encode and decode", arguments: [
        ("bücher", "bcher-kva"),
        ("例", "fsq"),
        ("jp納豆", "jp-cd2fp15c"),
        ("münchen", "mnchen-3ya"),
        ("ドメイン名例", "eckwd4c7cu47r2wf"),
    ])
    func roundTrip(_ unicode: String, _ encoded: String) {
        #expect(Punycode.encode(Array(unicode.unicodeScalars)) == encoded)
        #expect(Punycode.decode(encoded).map { String(String.UnicodeScalarView($0)) } == unicode)
    }

    @Test("a label that is only a delimiter and digits is not Punycode")
    func invalid() {
        #expect(Punycode.decode("-bla") == nil)
        #expect(Punycode.decode("99999999999") == nil)
    }

    @Test("lookup profile lower-cases, encodes and rejects STD3 characters")
    func lookup() throws {
        #expect(try IDNA.toASCII("JP納豆.例.jp", profile: .lookup).get() == "xn--jp-cd2fp15c.xn--fsq.jp")
        #expect(try IDNA.toASCII("WWW.Example.COM", profile: .lookup).get() == "www.example.com")
        #expect(try IDNA.toASCII(".example.com", profile: .lookup).get() == ".example.com")
        for bad in ["a_b.example.com", "name with space.local", "-lead.example", "trail-.example", "ab--cd.example", "xn---bla.jp"] {
            #expect((try? IDNA.toASCII(bad, profile: .lookup).get()) == nil, "\(bad)")
        }
        #expect(try IDNA.toASCII("a_b.example.com", profile: .punycode).get() == "a_b.example.com")
        #expect((try? IDNA.toASCII("xn---bla.jp", profile: .punycode).get()) == nil)
    }
}
