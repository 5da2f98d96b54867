import Foundation

/// A JWT NumericDate (RFC 7519 §2): whole seconds since 1970-01-01T00:00:00Z.
///
/// As in go-jose, a claim written with a fraction is accepted and truncated toward zero.
public struct NumericDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the epoch.
    public var secondsSince1970: Int64

    /// A NumericDate from seconds since the epoch.
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The whole second containing `date` (rounded down, like Go's `time.Time.Unix`).
    public init(_ date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        if seconds >= 9.2e18 {
            self.secondsSince1970 = .max
        } else if seconds <= -9.2e18 {
            self.secondsSince1970 = .min
        } else {
            // NaN fails both comparisons above; it has no meaningful time.
            self.secondsSince1970 = seconds.isNaN ? 0 : Int64(seconds)
        }
    }

    /// The instant as a `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(self.secondsSince1970))
    }

    /// The seconds, in decimal.
    public var description: String {
        String(self.secondsSince1970)
    }

    /// Orders by time.
    public static func < (lhs: NumericDate, rhs: NumericDate) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    /// Reads a claim value: an integer, or a finite number within range (truncated toward zero).
    init(claim name: String, _ value: JSONValue) throws {
        switch value {
        case .integer(let seconds):
            self.secondsSince1970 = seconds
        case .number(let seconds):
            // Int64 holds every whole number of magnitude below 2^63.
            guard seconds.isFinite, abs(seconds) < 9.2e18 else {
                throw JWSError.malformedClaims("\(name) is out of range")
            }
            self.secondsSince1970 = Int64(seconds.rounded(.towardZero))
        default:
            throw JWSError.malformedClaims("\(name) is not a number")
        }
    }
}

/// The claims of a JWT: the registered claims (RFC 7519 §4.1) as properties, everything else in
/// ``privateClaims``, and the payload bytes in ``rawJSON``.
///
/// Decoding follows go-jose: `aud` may be a string or an array of strings; NumericDates may be
/// integers or numbers with a fraction; a registered claim that is `null` counts as absent; a
/// registered claim of any other wrong type is an error. Encoding follows step: members sorted by
/// name, `aud` written as a plain string when there is exactly one audience.
public struct JWTClaims: Sendable, Equatable {
    /// The names of the registered claims held in properties rather than ``privateClaims``.
    public static let registeredClaimNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// `iss`.
    public var issuer: String? { didSet { self.rawJSON = nil } }
    /// `sub`.
    public var subject: String? { didSet { self.rawJSON = nil } }
    /// `aud`; empty when absent.
    public var audience: [String] { didSet { self.rawJSON = nil } }
    /// `exp`.
    public var expiry: NumericDate? { didSet { self.rawJSON = nil } }
    /// `nbf`.
    public var notBefore: NumericDate? { didSet { self.rawJSON = nil } }
    /// `iat`.
    public var issuedAt: NumericDate? { didSet { self.rawJSON = nil } }
    /// `jti`.
    public var id: String? { didSet { self.rawJSON = nil } }
    /// Every other claim by name (for step: `sans`, `sha`, `step`, `cnf`, `user`, ...).
    public var privateClaims: [String: JSONValue] { didSet { self.rawJSON = nil } }

    /// The payload exactly as received, when these claims were decoded; `nil` when built in memory
    /// or once any property has been changed. Not part of equality.
    public private(set) var rawJSON: Data?

    /// Claims built in memory.
    public init(
        issuer: String? = nil,
        subject: String? = nil,
        audience: [String] = [],
        expiry: NumericDate? = nil,
        notBefore: NumericDate? = nil,
        issuedAt: NumericDate? = nil,
        id: String? = nil,
        privateClaims: [String: JSONValue] = [:]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiry = expiry
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.id = id
        self.privateClaims = privateClaims
        self.rawJSON = nil
    }

    /// Decodes a JWT payload.
    ///
    /// - Throws: ``JWSError/Code/malformedClaims`` if the payload is not a JSON object (strictly
    ///   parsed, see ``JSONValue/init(jsonData:)``) or a registered claim has the wrong type.
    public init(jsonData: Data) throws {
        guard case .object(var members) = try JSONValue(jsonData: jsonData) else {
            throw JWSError.malformedClaims("the JWT payload is not a JSON object")
        }
        func take(_ name: String) -> JSONValue? {
            guard let value = members.removeValue(forKey: name), value != .null else { return nil }
            return value
        }
        func string(_ name: String) throws -> String? {
            guard let value = take(name) else { return nil }
            guard case .string(let text) = value else { throw JWSError.malformedClaims("\(name) is not a string") }
            return text
        }
        func date(_ name: String) throws -> NumericDate? {
            try take(name).map { try NumericDate(claim: name, $0) }
        }
        self.issuer = try string("iss")
        self.subject = try string("sub")
        self.id = try string("jti")
        self.expiry = try date("exp")
        self.notBefore = try date("nbf")
        self.issuedAt = try date("iat")
        switch take("aud") {
        case nil:
            self.audience = []
        case .string(let single):
            self.audience = [single]
        case .some(let value):
            guard let list = value.stringArrayValue else {
                throw JWSError.malformedClaims("aud is neither a string nor an array of strings")
            }
            self.audience = list
        }
        self.privateClaims = members
        self.rawJSON = jsonData
    }

    /// Compact JSON with every claim, members sorted by name as step writes them; `aud` is a
    /// string for one audience, an array for several, omitted when empty.
    ///
    /// - Throws: ``JWSError/Code/invalidArgument`` if ``privateClaims`` repeats a registered claim
    ///   name or holds a non-finite number.
    public func jsonData() throws -> Data {
        try JSONValue.object(try self.allClaims()).jsonData()
    }

    /// A claim by name: a registered claim as it would be encoded, or a private claim.
    public subscript(claim name: String) -> JSONValue? {
        switch name {
        case "iss": return self.issuer.map(JSONValue.string)
        case "sub": return self.subject.map(JSONValue.string)
        case "jti": return self.id.map(JSONValue.string)
        case "exp": return self.expiry.map { .integer($0.secondsSince1970) }
        case "nbf": return self.notBefore.map { .integer($0.secondsSince1970) }
        case "iat": return self.issuedAt.map { .integer($0.secondsSince1970) }
        case "aud": return Self.encodedAudience(self.audience)
        default: return self.privateClaims[name]
        }
    }

    /// A private claim that is a string (such as step's `sha`), or `nil` if absent or of another type.
    public func string(forClaim name: String) -> String? {
        self[claim: name]?.stringValue
    }

    /// A private claim that is an array of strings (such as step's `sans`), or `nil` if absent or
    /// of another type.
    public func strings(forClaim name: String) -> [String]? {
        self[claim: name]?.stringArrayValue
    }

    /// A claim that is an object (such as step's `step`, `cnf` or `user`), or `nil` if absent or
    /// of another type.
    public func object(forClaim name: String) -> [String: JSONValue]? {
        self[claim: name]?.objectValue
    }

    /// Decodes all the claims into a `Decodable` type, from ``rawJSON`` when available (so numbers
    /// keep their written form), otherwise from ``jsonData()``.
    ///
    /// - Throws: ``JWSError/Code/malformedClaims`` if the decoder fails.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        let data = try self.rawJSON ?? self.jsonData()
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw JWSError.malformedClaims("the claims do not decode as \(type): \(error)")
        }
    }

    /// Checks `nbf`, `exp` and `iat` against `now` as go-jose v3 does, in this order:
    /// `nbf` later than `now + leeway` → ``JWSError/Code/notYetValid``;
    /// `exp` earlier than `now - leeway` → ``JWSError/Code/expired``;
    /// `iat` later than `now + leeway` → ``JWSError/Code/issuedInFuture``.
    /// Absent claims are not required. The boundaries themselves are accepted.
    public func validateTime(now: Date, leeway: TimeInterval = 60) throws {
        let latest = now.addingTimeInterval(leeway)
        let earliest = now.addingTimeInterval(-leeway)
        if let notBefore = self.notBefore, latest < notBefore.date {
            throw JWSError(code: .notYetValid, reason: "validation failed, token not valid yet (nbf \(notBefore))")
        }
        if let expiry = self.expiry, earliest > expiry.date {
            throw JWSError(code: .expired, reason: "validation failed, token is expired (exp \(expiry))")
        }
        if let issuedAt = self.issuedAt, latest < issuedAt.date {
            throw JWSError(code: .issuedInFuture, reason: "validation failed, token issued in the future (iat \(issuedAt))")
        }
    }

    /// Equal when every claim is equal; ``rawJSON`` is ignored.
    public static func == (lhs: JWTClaims, rhs: JWTClaims) -> Bool {
        lhs.issuer == rhs.issuer && lhs.subject == rhs.subject && lhs.audience == rhs.audience
            && lhs.expiry == rhs.expiry && lhs.notBefore == rhs.notBefore && lhs.issuedAt == rhs.issuedAt
            && lhs.id == rhs.id && lhs.privateClaims == rhs.privateClaims
    }

    private func allClaims() throws -> [String: JSONValue] {
        var all = self.privateClaims
        for name in Self.registeredClaimNames {
            guard all[name] == nil else {
                throw JWSError.invalidArgument("the private claim \(name) is a registered claim; set its property instead")
            }
            all[name] = self[claim: name]
        }
        return all
    }

    private static func encodedAudience(_ audience: [String]) -> JSONValue? {
        switch audience.count {
        case 0: return nil
        case 1: return .string(audience[0])
        default: return .array(audience.map(JSONValue.string))
        }
    }
}
