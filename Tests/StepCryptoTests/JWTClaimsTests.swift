import Foundation
import StepCrypto
import Testing

private typealias S = JWSTestSupport

@Suite("JWT claims")
struct JWTClaimsTests {
    static let nbf: Int64 = 1_795_925_336
    static let exp: Int64 = nbf + 300

    static func claims(nbf: Int64? = JWTClaimsTests.nbf, exp: Int64? = JWTClaimsTests.exp, iat: Int64? = JWTClaimsTests.nbf) -> JWTClaims {
        JWTClaims(
            expiry: exp.map(NumericDate.init(secondsSince1970:)),
            notBefore: nbf.map(NumericDate.init(secondsSince1970:)),
            issuedAt: iat.map(NumericDate.init(secondsSince1970:))
        )
    }

    static func at(_ seconds: Int64, plus fraction: TimeInterval = 0) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    // MARK: - Time

    /// (offset of "now" from nbf in seconds, expected error code or nil). Validity is [nbf, nbf+300], leeway 60.
    static let timeCases: [(TimeInterval, String?)] = [
        (0, nil), (150, nil), (300, nil),
        (-59, nil), (-60, nil), (-60.5, "token-not-yet-valid"), (-61, "token-not-yet-valid"), (-3600, "token-not-yet-valid"),
        (300 + 59, nil), (300 + 60, nil), (300 + 60.5, "token-expired"), (300 + 61, "token-expired"), (86_400, "token-expired"),
    ]

    @Test("nbf and exp with the default one-minute leeway, clock pinned", arguments: timeCases)
    func timeWindow(offset: TimeInterval, expected: String?) throws {
        let now = Self.at(Self.nbf, plus: offset)
        // iat is left out so that only nbf and exp are in play.
        let claims = Self.claims(iat: nil)
        if let expected {
            let error = S.jwsError { try claims.validateTime(now: now) }
            #expect(error?.code.rawValue == expected)
        } else {
            try claims.validateTime(now: now)
        }
    }

    @Test("iat in the future beyond the leeway is refused")
    func issuedInFuture() throws {
        let iat = Self.nbf + 1_000
        let claims = Self.claims(nbf: nil, exp: nil, iat: iat)
        try claims.validateTime(now: Self.at(iat))
        try claims.validateTime(now: Self.at(iat - 60))
        try claims.validateTime(now: Self.at(iat + 100_000))
        #expect(S.jwsError { try claims.validateTime(now: Self.at(iat - 61)) }?.code == .issuedInFuture)
        #expect(S.jwsError { try claims.validateTime(now: Self.at(iat - 60, plus: -0.001)) }?.code == .issuedInFuture)
        // With a zero leeway the boundary is exact.
        try claims.validateTime(now: Self.at(iat), leeway: 0)
        #expect(S.jwsError { try claims.validateTime(now: Self.at(iat - 1), leeway: 0) }?.code == .issuedInFuture)
    }

    @Test("Checks run in go-jose's order: nbf, exp, iat")
    func order() throws {
        // nbf and iat both in the future: nbf is reported.
        let future = Self.claims(nbf: Self.nbf + 1_000, exp: Self.nbf + 2_000, iat: Self.nbf + 1_000)
        #expect(S.jwsError { try future.validateTime(now: Self.at(Self.nbf)) }?.code == .notYetValid)
        // exp passed and iat in the future (an inconsistent token): exp is reported.
        let inconsistent = Self.claims(nbf: nil, exp: Self.nbf, iat: Self.nbf + 10_000)
        #expect(S.jwsError { try inconsistent.validateTime(now: Self.at(Self.nbf + 1_000)) }?.code == .expired)
    }

    @Test("Absent time claims are not required")
    func absentClaims() throws {
        let empty = JWTClaims()
        for now in [Date(timeIntervalSince1970: 0), Date(), Date.distantFuture, Date.distantPast] {
            try empty.validateTime(now: now)
        }
        // Only exp: anything before it is fine, however early.
        let onlyExpiry = Self.claims(nbf: nil, exp: Self.exp, iat: nil)
        try onlyExpiry.validateTime(now: Date(timeIntervalSince1970: 0))
        #expect(S.jwsError { try onlyExpiry.validateTime(now: Self.at(Self.exp + 61)) }?.code == .expired)
    }

    @Test("A custom leeway widens or narrows the window")
    func customLeeway() throws {
        let claims = Self.claims()
        try claims.validateTime(now: Self.at(Self.nbf - 299), leeway: 300)
        try claims.validateTime(now: Self.at(Self.exp + 300), leeway: 300)
        #expect(S.jwsError { try claims.validateTime(now: Self.at(Self.nbf - 1), leeway: 0) }?.code == .notYetValid)
        #expect(S.jwsError { try claims.validateTime(now: Self.at(Self.exp + 1), leeway: 0) }?.code == .expired)
        try claims.validateTime(now: Self.at(Self.exp), leeway: 0)
    }

    @Test("The error reasons name the claim")
    func reasons() throws {
        let error = S.jwsError { try Self.claims().validateTime(now: Self.at(Self.exp + 61)) }
        #expect(error?.reason.contains("exp \(Self.exp)") == true)
    }

    // MARK: - Decoding

    @Test("aud is a string or an array of strings")
    func audience() throws {
        #expect(try JWTClaims(jsonData: Data(#"{"aud":"https://ca/1.0/sign"}"#.utf8)).audience == ["https://ca/1.0/sign"])
        #expect(try JWTClaims(jsonData: Data(#"{"aud":["a","b"]}"#.utf8)).audience == ["a", "b"])
        #expect(try JWTClaims(jsonData: Data(#"{"aud":[]}"#.utf8)).audience == [])
        #expect(try JWTClaims(jsonData: Data(#"{}"#.utf8)).audience == [])
        #expect(try JWTClaims(jsonData: Data(#"{"aud":null}"#.utf8)).audience == [])
        for bad in [#"{"aud":1}"#, #"{"aud":["a",1]}"#, #"{"aud":{"a":"b"}}"#, #"{"aud":true}"#, #"{"aud":[["a"]]}"#] {
            #expect(S.jwsError { _ = try JWTClaims(jsonData: Data(bad.utf8)) }?.code == .malformedClaims, "\(bad)")
        }
    }

    @Test("NumericDates accept integers and numbers with a fraction", arguments: [
        ("1795925636", Int64(1_795_925_636)), ("1795925636.9", 1_795_925_636), ("1.7959256369e9", 1_795_925_636),
        ("1795925636E0", 1_795_925_636), ("0", 0), ("-1.5", -1), ("-0", 0), ("9007199254740993", 9_007_199_254_740_993),
    ])
    func numericDates(text: String, seconds: Int64) throws {
        let claims = try JWTClaims(jsonData: Data(#"{"exp":\#(text),"nbf":\#(text),"iat":\#(text)}"#.utf8))
        #expect(claims.expiry?.secondsSince1970 == seconds)
        #expect(claims.notBefore?.secondsSince1970 == seconds)
        #expect(claims.issuedAt?.secondsSince1970 == seconds)
        #expect(claims.expiry?.date == Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test("Registered claims of the wrong type are refused", arguments: [
        #"{"exp":"1795925636"}"#, #"{"nbf":true}"#, #"{"iat":[1]}"#, #"{"exp":1e300}"#, #"{"exp":-1e19}"#,
        #"{"iss":1}"#, #"{"sub":["a"]}"#, #"{"jti":{}}"#, #"{"iss":false}"#,
    ])
    func wrongTypes(json: String) throws {
        #expect(S.jwsError { _ = try JWTClaims(jsonData: Data(json.utf8)) }?.code == .malformedClaims)
    }

    @Test("null registered claims count as absent")
    func nullClaims() throws {
        let claims = try JWTClaims(jsonData: Data(#"{"iss":null,"sub":null,"exp":null,"nbf":null,"iat":null,"jti":null,"x":null}"#.utf8))
        #expect(claims == JWTClaims(privateClaims: ["x": .null]))
    }

    @Test("The payload must be a strictly valid JSON object", arguments: [
        "[]", #""claims""#, "1", "null", "", " ", "{", #"{"a":1,}"#, #"{"a":1} {}"#, #"{"iss":"a","iss":"b"}"#,
        #"{"a":"\ud800"}"#, #"{"a":"\udc00\ud800"}"#, #"{"a":01}"#, #"{"a":.5}"#, #"{"a":NaN}"#, #"{"a":1e999}"#,
        "{\"a\":\"\u{01}\"}", #"{a:1}"#, #"{"a":'b'}"#, #"{"a":tru}"#, #"// c"# + "\n{}", "\u{FEFF}{}",
    ])
    func invalidPayload(json: String) throws {
        #expect(S.jwsError { _ = try JWTClaims(jsonData: Data(json.utf8)) }?.code == .malformedClaims)
    }

    @Test("Invalid UTF-8 in a string is refused")
    func invalidUTF8() throws {
        for bytes: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let json = Data(#"{"sub":""#.utf8) + bytes + Data(#""}"#.utf8)
            #expect(S.jwsError { _ = try JWTClaims(jsonData: json) }?.code == .malformedClaims)
        }
        // Valid multi-byte text and escapes decode.
        let claims = try JWTClaims(jsonData: Data(#"{"sub":"caf\u00e9 \ud83d\ude00 ü","x":"\"\\\/\b\f\n\r\t"}"#.utf8))
        #expect(claims.subject == "café 😀 ü")
        #expect(claims.string(forClaim: "x") == "\"\\/\u{8}\u{C}\n\r\t")
    }

    @Test("Private claims are reachable by name and as Decodable")
    func privateClaims() throws {
        let json = #"""
            {"iss":"p","sans":["a.example.com","10.0.0.1"],"sha":"00ff","step":{"ssh":{"certType":"user","keyID":"k","principals":["root"],"validAfter":"","validBefore":""}},"cnf":{"x5rt#S256":"abc"},"user":{"n":1.5,"ok":true,"none":null},"amount":12}
            """#
        let claims = try JWTClaims(jsonData: Data(json.utf8))
        #expect(claims.issuer == "p")
        #expect(claims.privateClaims.keys.sorted() == ["amount", "cnf", "sans", "sha", "step", "user"])
        #expect(claims.strings(forClaim: "sans") == ["a.example.com", "10.0.0.1"])
        #expect(claims.string(forClaim: "sha") == "00ff")
        #expect(claims.string(forClaim: "iss") == "p")
        #expect(claims.strings(forClaim: "sha") == nil)
        #expect(claims.object(forClaim: "cnf")?["x5rt#S256"] == "abc")
        #expect(claims[claim: "step"]?["ssh"]?["principals"]?.stringArrayValue == ["root"])
        #expect(claims[claim: "user"]?["n"]?.doubleValue == 1.5)
        #expect(claims[claim: "user"]?["ok"]?.boolValue == true)
        #expect(claims[claim: "user"]?["none"]?.isNull == true)
        #expect(claims[claim: "amount"] == .integer(12))
        #expect(claims[claim: "missing"] == nil)
        #expect(claims.rawJSON == Data(json.utf8))
        var changed = claims
        changed.subject = "s"
        #expect(changed.rawJSON == nil)
        struct Subject: Decodable { var sub: String; var sha: String }
        #expect(try changed.decode(Subject.self).sub == "s")
        #expect(try changed.decode(Subject.self).sha == "00ff")

        struct SSH: Decodable { var certType: String; var principals: [String] }
        struct Step: Decodable { var ssh: SSH }
        struct Token: Decodable { var iss: String; var step: Step; var sans: [String] }
        let decoded = try claims.decode(Token.self)
        #expect(decoded.step.ssh.principals == ["root"])
        #expect(decoded.sans.count == 2)
        #expect(S.jwsError { _ = try claims.decode([String].self) }?.code == .malformedClaims)
    }

    // MARK: - Encoding

    @Test("Encoding sorts members and writes a single audience as a string, like step")
    func encoding() throws {
        var claims = JWTClaims(
            issuer: "anchor@example.com", subject: "a<b>&c", audience: ["https://ca/1.0/sign"],
            expiry: NumericDate(secondsSince1970: 1_795_925_636), notBefore: NumericDate(secondsSince1970: 1_795_925_336),
            issuedAt: NumericDate(secondsSince1970: 1_795_925_336), id: "j",
            privateClaims: ["sans": ["x"], "sha": "s", "step": ["ssh": ["keyID": "k", "principals": []]], "Z": 1.5, "n": .null]
        )
        #expect(String(decoding: try claims.jsonData(), as: UTF8.self) == #"{"Z":1.5,"aud":"https://ca/1.0/sign","exp":1795925636,"iat":1795925336,"iss":"anchor@example.com","jti":"j","n":null,"nbf":1795925336,"sans":["x"],"sha":"s","step":{"ssh":{"keyID":"k","principals":[]}},"sub":"a\u003cb\u003e\u0026c"}"#)
        #expect(try JWTClaims(jsonData: claims.jsonData()) == claims)

        claims.audience = ["a", "b"]
        #expect(String(decoding: try claims.jsonData(), as: UTF8.self).contains(#""aud":["a","b"]"#))
        claims.audience = []
        #expect(!String(decoding: try claims.jsonData(), as: UTF8.self).contains("aud"))
        #expect(String(decoding: try JWTClaims().jsonData(), as: UTF8.self) == "{}")

        // A registered claim cannot hide among the private ones.
        for name in JWTClaims.registeredClaimNames {
            let bad = JWTClaims(privateClaims: [name: "x"])
            #expect(S.jwsError { _ = try bad.jsonData() }?.code == .invalidArgument)
        }
        #expect(S.jwsError { _ = try JWTClaims(privateClaims: ["x": .number(.nan)]).jsonData() }?.code == .invalidArgument)
        #expect(S.jwsError { _ = try JWTClaims(privateClaims: ["x": .number(.infinity)]).jsonData() }?.code == .invalidArgument)
    }

    @Test("NumericDate from a Date rounds down to the second")
    func numericDateFromDate() {
        #expect(NumericDate(Date(timeIntervalSince1970: 100.9)).secondsSince1970 == 100)
        #expect(NumericDate(Date(timeIntervalSince1970: -0.5)).secondsSince1970 == -1)
        #expect(NumericDate(secondsSince1970: 5) < NumericDate(secondsSince1970: 6))
        #expect(NumericDate(secondsSince1970: 5).description == "5")
    }

    @Test("JSONValue parses and prints")
    func jsonValue() throws {
        let value = try JSONValue(jsonData: Data(#" {"b":[1,-2,3.25,true,false,null,"x"],"a":{"c":{}},"big":12345678901234567890} "#.utf8))
        #expect(value["b"] == [1, -2, 3.25, true, false, .null, "x"])
        #expect(value["a"] == ["c": [:]])
        #expect(value["big"] == .number(1.2345678901234567e19))
        #expect(try value.jsonString() == #"{"a":{"c":{}},"b":[1,-2,3.25,true,false,null,"x"],"big":1.2345678901234567e+19}"#)
        #expect(try JSONValue(jsonData: value.jsonData()) == value)
        #expect(try JSONValue.string("\u{2028}\u{7F}\u{1F}").jsonString() == #""\u2028\#u{7F}\u001f""#)
        #expect(JSONValue.maximumDepth == 32)
        let nested = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(try JSONValue(jsonData: Data(nested.utf8)).arrayValue != nil)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(S.jwsError { _ = try JSONValue(jsonData: Data(tooDeep.utf8)) }?.code == .malformedClaims)
    }
}
