import Foundation

/// Compact JWS (RFC 7515) and JWT (RFC 7519) tokens, as step's one-time tokens use them.
///
/// ```swift
/// let token = try JWS.parse(compact)                 // structure only: nothing is trusted yet
/// let unverified = try token.unverifiedClaims()      // e.g. to find the provisioner
/// let claims = try token.verifiedClaims(with: jwk)   // signature checked with the key's algorithm
/// try claims.validateTime(now: Date())
/// ```
///
/// The algorithm is decided by the verification key, never by the header alone: the header's
/// `alg` must be one the key can use (see ``JWSAlgorithm/algorithms(for:)``), and `none`, the
/// HMAC algorithms and unknown names are refused when parsing.
public enum JWS {
    /// The longest compact token accepted, in bytes (64 KiB).
    public static let maximumTokenLength = 65_536

    /// Parses a compact JWS strictly.
    ///
    /// Accepted: exactly three `.`-separated segments of unpadded, canonical base64url; a protected
    /// header that is a JSON object with a string `alg` naming a ``JWSAlgorithm``; a non-empty
    /// signature. Leading and trailing whitespace (such as the newline of a token file) is ignored;
    /// whitespace inside the token is not.
    ///
    /// - Throws: ``JWSError`` with code `tokenTooLarge` (over ``maximumTokenLength``),
    ///   `encryptedToken` (five segments: a JWE), `malformedToken` (anything else structurally wrong,
    ///   including a header member of the wrong type and an embedded `jwk` with private members),
    ///   `criticalHeader` (a `crit` member), `algorithmNone`, `symmetricAlgorithm` or
    ///   `unsupportedAlgorithm` (from the `alg` member).
    public static func parse(_ compact: String) throws -> ParsedJWS {
        guard compact.utf8.count <= Self.maximumTokenLength else {
            throw JWSError(
                code: .tokenTooLarge,
                reason: "the token is \(compact.utf8.count) bytes, at most \(Self.maximumTokenLength) are accepted"
            )
        }
        let token = Self.trimmed(compact)
        if token.hasPrefix("{") {
            throw JWSError.malformed("only the compact serialization is accepted, not JSON serialization")
        }
        let segments = Self.segments(of: token)
        if segments.count == 5 {
            throw JWSError(code: .encryptedToken, reason: "encrypted tokens are not accepted")
        }
        guard segments.count == 3 else {
            throw JWSError.malformed("a compact JWS has 3 segments, this has \(segments.count)")
        }
        guard !segments[0].isEmpty else {
            throw JWSError.malformed("the protected header is empty")
        }
        // The header first, so that `none`, HMAC and unknown algorithms get their own errors
        // whatever the other segments hold.
        let header = try JWSHeader(json: try Self.decodeSegment(segments[0], what: "protected header"))
        let payload = try Self.decodeSegment(segments[1], what: "payload")
        guard !segments[2].isEmpty else {
            throw JWSError.malformed("the signature is empty")
        }
        let signature = try Self.decodeSegment(segments[2], what: "signature")
        return ParsedJWS(
            compact: token,
            header: header,
            payload: payload,
            signingInput: Data(token.utf8.prefix(segments[0].utf8.count + 1 + segments[1].utf8.count)),
            signature: signature
        )
    }

    /// The `.`-separated segments, empty ones included, found by a byte scan (a `Character` split
    /// costs several times more on every request).
    static func segments(of token: String) -> [Substring] {
        var segments: [Substring] = []
        let utf8 = token.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: ".") {
                segments.append(token[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        segments.append(token[start...])
        return segments
    }

    /// The token without surrounding whitespace; the common case (none, all ASCII) is a byte
    /// check, not a Foundation string operation.
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last else { return text }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        if first < 0x80, last < 0x80, !isSpace(first), !isSpace(last) { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Signs `payload` and returns the compact token.
    ///
    /// The protected header is `{"alg":…,"kid":…,"typ":…}` in that order (as step writes it; `kid`
    /// and `typ` omitted when `nil`), followed by `additionalHeader` in the given order.
    ///
    /// - Parameters:
    ///   - algorithm: `nil` for the key's ``JWSAlgorithm/defaultAlgorithm(for:)``: ES256, ES384 or
    ///     ES512 by curve, RS256 for RSA, EdDSA for Ed25519. For RSA keys any RS or PS algorithm
    ///     can be chosen.
    ///   - additionalHeader: further header members such as `x5c` or `nonce`. `alg`, `kid`, `typ`
    ///     and `crit` cannot appear here, and a name cannot repeat.
    /// - Throws: ``JWSError`` with code `algorithmMismatch` (the algorithm does not fit the key),
    ///   `invalidKey` (an RSA key under 2048 bits), `invalidArgument` (a reserved or repeated
    ///   header member, a non-finite number) or `signingFailed`.
    public static func sign(
        payload: Data,
        key: PrivateKeyMaterial,
        algorithm: JWSAlgorithm? = nil,
        keyID: String? = nil,
        type: String? = "JWT",
        additionalHeader: [(name: String, value: JSONValue)] = []
    ) throws -> String {
        let publicKey = key.publicKey
        let algorithm = algorithm ?? JWSAlgorithm.defaultAlgorithm(for: publicKey)
        try algorithm.check(key: publicKey)

        var header = "{" + OrderedJSONWriter.quoted("alg") + ":" + OrderedJSONWriter.quoted(algorithm.rawValue)
        if let keyID {
            header += "," + OrderedJSONWriter.quoted("kid") + ":" + OrderedJSONWriter.quoted(keyID)
        }
        if let type {
            header += "," + OrderedJSONWriter.quoted("typ") + ":" + OrderedJSONWriter.quoted(type)
        }
        var seen: Set<String> = ["alg", "kid", "typ", "crit"]
        for (name, value) in additionalHeader {
            guard seen.insert(name).inserted else {
                throw JWSError.invalidArgument("the header member \(OrderedJSONWriter.quoted(name)) is reserved or repeated")
            }
            header += "," + OrderedJSONWriter.quoted(name) + ":"
            try value.write(to: &header)
        }
        header += "}"

        let signingInput = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(payload)
        let signature = try algorithm.signature(for: Data(signingInput.utf8), key: key)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Signs a JWT: ``sign(payload:key:algorithm:keyID:type:additionalHeader:)`` with
    /// ``JWTClaims/jsonData()`` as the payload.
    public static func sign(
        claims: JWTClaims,
        key: PrivateKeyMaterial,
        algorithm: JWSAlgorithm? = nil,
        keyID: String? = nil,
        type: String? = "JWT",
        additionalHeader: [(name: String, value: JSONValue)] = []
    ) throws -> String {
        try Self.sign(
            payload: try claims.jsonData(), key: key, algorithm: algorithm, keyID: keyID, type: type,
            additionalHeader: additionalHeader
        )
    }

    /// Whether the bits of the last base64url character that carry no data are zero (the only
    /// way two spellings of the same bytes can differ), checked without re-encoding.
    private static func hasZeroTrailingBits(_ text: Substring) -> Bool {
        guard let last = text.utf8.last else { return true }
        let value: UInt8
        switch last {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = last - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): value = last - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = last - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): value = 62
        case UInt8(ascii: "_"): value = 63
        default: return false
        }
        switch text.utf8.count % 4 {
        case 2: return value & 0x0f == 0
        case 3: return value & 0x03 == 0
        default: return true
        }
    }

    /// Decodes one segment: unpadded base64url in its canonical form, so a token has exactly one
    /// spelling (a different string for the same bytes would slip past a replay check keyed on
    /// the token's hash).
    private static func decodeSegment(_ text: Substring, what: String) throws -> Data {
        let data: Data
        do {
            data = try Base64URL.decode(text, what: "JWS \(what)")
        } catch let error as StepCryptoError {
            throw JWSError.malformed(error.reason)
        }
        guard hasZeroTrailingBits(text) else {
            throw JWSError.malformed("JWS \(what) is not canonical base64url (non-zero trailing bits)")
        }
        return data
    }
}

/// The protected header of a JWS.
public struct JWSHeader: Sendable {
    /// `alg`, already checked to be one of the accepted algorithms.
    public let algorithm: JWSAlgorithm
    /// `kid`.
    public let keyID: String?
    /// `typ` (not checked; step's clients set `JWT`).
    public let type: String?
    /// `cty`.
    public let contentType: String?
    /// `x5c`: DER certificates decoded from standard (padded) base64, leaf first.
    public let x509CertificateChain: [Data]?
    /// `x5t#S256`: the SHA-256 thumbprint of the leaf certificate (32 bytes).
    public let x509CertificateSHA256Thumbprint: Data?
    /// `jwk`: an embedded public key. Never use it to verify the token it came in; that proves nothing.
    public let jwk: JWK?
    /// Every member, including the ones above.
    public let members: [String: JSONValue]
    /// The header JSON exactly as it appeared in the token.
    public let rawJSON: Data

    /// The member named `name`, if present.
    public subscript(name: String) -> JSONValue? {
        self.members[name]
    }

    init(json: Data) throws {
        let value: JSONValue
        do {
            value = try JSONValue(jsonData: json)
        } catch let error as JWSError {
            throw JWSError.malformed("protected header: \(error.reason)")
        }
        guard case .object(let members) = value else {
            throw JWSError.malformed("the protected header is not a JSON object")
        }
        if let critical = members["crit"] {
            throw JWSError(
                code: .criticalHeader,
                reason: "critical header extensions are not supported (crit: \((try? critical.jsonString()) ?? "?"))"
            )
        }
        guard let alg = members["alg"] else {
            throw JWSError.malformed("the protected header has no alg")
        }
        guard case .string(let algName) = alg else {
            throw JWSError.malformed("the protected header's alg is not a string")
        }
        self.algorithm = try JWSAlgorithm(headerValue: algName)
        self.keyID = try Self.string(members, "kid")
        self.type = try Self.string(members, "typ")
        self.contentType = try Self.string(members, "cty")

        if let x5c = members["x5c"] {
            guard let certificates = x5c.stringArrayValue else {
                throw JWSError.malformed("the protected header's x5c is not an array of strings")
            }
            self.x509CertificateChain = try certificates.enumerated().map { index, text in
                guard let der = Data(base64Encoded: text), der.base64EncodedString() == text, !der.isEmpty else {
                    throw JWSError.malformed("x5c[\(index)] is not standard base64")
                }
                return der
            }
        } else {
            self.x509CertificateChain = nil
        }

        if let thumbprint = members["x5t#S256"] {
            guard case .string(let text) = thumbprint else {
                throw JWSError.malformed("the protected header's x5t#S256 is not a string")
            }
            let bytes: Data
            do {
                bytes = try Base64URL.decode(text, what: "x5t#S256")
            } catch let error as StepCryptoError {
                throw JWSError.malformed(error.reason)
            }
            guard bytes.count == 32 else {
                throw JWSError.malformed("x5t#S256 is \(bytes.count) bytes, a SHA-256 thumbprint has 32")
            }
            self.x509CertificateSHA256Thumbprint = bytes
        } else {
            self.x509CertificateSHA256Thumbprint = nil
        }

        if let embedded = members["jwk"] {
            guard case .object = embedded else {
                throw JWSError.malformed("the protected header's jwk is not a JSON object")
            }
            let key: JWK
            do {
                key = try JWK(jsonData: try embedded.jsonData())
            } catch let error as StepCryptoError {
                throw JWSError.malformed("the protected header's jwk: \(error.reason)")
            } catch {
                throw JWSError.malformed("the protected header's jwk: \(error)")
            }
            guard !key.isPrivate else {
                throw JWSError.malformed("the protected header's jwk has private members")
            }
            self.jwk = key
        } else {
            self.jwk = nil
        }

        self.members = members
        self.rawJSON = json
    }

    private static func string(_ members: [String: JSONValue], _ name: String) throws -> String? {
        guard let value = members[name] else { return nil }
        guard case .string(let text) = value else {
            throw JWSError.malformed("the protected header's \(name) is not a string")
        }
        return text
    }
}

/// A compact JWS that has been parsed but not yet verified.
public struct ParsedJWS: Sendable {
    /// The token, without surrounding whitespace.
    public let compact: String
    /// The protected header.
    public let header: JWSHeader
    /// The decoded payload. Untrusted until ``verify(with:)-(PublicKeyMaterial)`` succeeds.
    public let payload: Data
    /// The bytes the signature covers: the ASCII of `<header segment>.<payload segment>`.
    public let signingInput: Data
    /// The decoded signature.
    public let signature: Data

    /// Verifies the signature with `key`, using the header's algorithm only if the key allows it.
    ///
    /// - Returns: The algorithm that verified.
    /// - Throws: ``JWSError`` with code `invalidKey` (an RSA key under 2048 bits),
    ///   `algorithmMismatch` (the header's algorithm is not one ``JWSAlgorithm/algorithms(for:)``
    ///   gives for the key) or `invalidSignature` (wrong length or encoding, or does not verify).
    @discardableResult
    public func verify(with key: PublicKeyMaterial) throws -> JWSAlgorithm {
        let algorithm = self.header.algorithm
        try algorithm.check(key: key)
        guard try algorithm.isValidSignature(self.signature, signingInput: self.signingInput, key: key) else {
            throw JWSError(code: .invalidSignature, reason: "the \(algorithm) signature does not verify")
        }
        return algorithm
    }

    /// Verifies the signature with a JWK (public or private; only the public members are used).
    ///
    /// As ``verify(with:)-(PublicKeyMaterial)``, and when the JWK has an `alg` the header's algorithm
    /// must be exactly that; a JWK whose `use` is present and not `sig` is refused.
    ///
    /// - Throws: as ``verify(with:)-(PublicKeyMaterial)``; `invalidKey` also when the JWK does not
    ///   convert to a key, `algorithmMismatch` also when the header's algorithm differs from the JWK's `alg`.
    @discardableResult
    public func verify(with key: JWK) throws -> JWSAlgorithm {
        if let use = key.use, use != "sig" {
            throw JWSError(code: .invalidKey, reason: "the JWK's use is \(OrderedJSONWriter.quoted(use)), not \"sig\"")
        }
        if let expected = key.algorithm, expected != self.header.algorithm.rawValue {
            throw JWSError(
                code: .algorithmMismatch,
                reason: "the header's algorithm \(self.header.algorithm) differs from the key's alg \(OrderedJSONWriter.quoted(expected))"
            )
        }
        let material: PublicKeyMaterial
        do {
            material = try key.publicKeyMaterial()
        } catch let error as StepCryptoError {
            throw JWSError(code: .invalidKey, reason: "the JWK is not a usable public key: \(error.reason)")
        }
        return try self.verify(with: material)
    }

    /// The payload decoded as JWT claims, without checking the signature.
    ///
    /// Only for deciding which key to verify with (for example finding a provisioner by `iss`,
    /// `aud` and `kid`); nothing in it may be trusted.
    public func unverifiedClaims() throws -> JWTClaims {
        try JWTClaims(jsonData: self.payload)
    }

    /// ``verify(with:)-(PublicKeyMaterial)``, then the payload decoded as JWT claims.
    /// Times are not checked; call ``JWTClaims/validateTime(now:leeway:)``.
    public func verifiedClaims(with key: PublicKeyMaterial) throws -> JWTClaims {
        try self.verify(with: key)
        return try JWTClaims(jsonData: self.payload)
    }

    /// ``verify(with:)-(JWK)``, then the payload decoded as JWT claims.
    /// Times are not checked; call ``JWTClaims/validateTime(now:leeway:)``.
    public func verifiedClaims(with key: JWK) throws -> JWTClaims {
        try self.verify(with: key)
        return try JWTClaims(jsonData: self.payload)
    }
}
