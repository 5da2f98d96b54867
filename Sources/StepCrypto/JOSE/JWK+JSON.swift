import Crypto
import Foundation

extension JWK {
    /// Compact JSON with members in step's (go-jose's) order:
    /// `use, kty, kid, crv, alg, x, y, n, e, d, p, q, dp, dq, qi`; absent members are omitted.
    public func jsonData() -> Data {
        Data(self.jsonString().utf8)
    }

    /// ``jsonData()`` as a string.
    public func jsonString() -> String {
        var writer = OrderedJSONWriter()
        writer.add("use", string: self.use)
        writer.add("kty", string: self.keyType)
        writer.add("kid", string: self.keyID)
        writer.add("crv", string: self.curve)
        writer.add("alg", string: self.algorithm)
        for (name, value) in self.binaryMembers {
            writer.add(name, string: value.map { Base64URL.encode($0) })
        }
        return writer.json
    }

    /// Parses a JWK from JSON. Unknown members are ignored.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` for invalid JSON, a missing `kty`, or a
    ///   binary member that is not unpadded base64url.
    public init(jsonData: Data) throws {
        do {
            self = try JSONDecoder().decode(JWK.self, from: jsonData)
        } catch let error as StepCryptoError {
            throw error
        } catch {
            throw StepCryptoError.malformed("invalid JWK JSON: \(error)")
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order,
    /// base64url-encoded. For EC `{"crv","kty","x","y"}`, RSA `{"e","kty","n"}`, OKP `{"crv","kty","x"}`.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` if a required member is missing,
    ///   ``StepCryptoError/Code/unsupportedAlgorithm`` for other key types.
    public func thumbprint() throws -> String {
        func required(_ value: Data?, _ name: String) throws -> String {
            guard let value else { throw StepCryptoError.malformed("\(self.keyType) JWK has no \(name)") }
            return Base64URL.encode(value)
        }
        func requiredCurve() throws -> String {
            guard let curve = self.curve else { throw StepCryptoError.malformed("\(self.keyType) JWK has no crv") }
            return curve
        }
        var writer = OrderedJSONWriter()
        switch self.keyType {
        case "EC":
            writer.add("crv", string: try requiredCurve())
            writer.add("kty", string: self.keyType)
            writer.add("x", string: try required(self.x, "x"))
            writer.add("y", string: try required(self.y, "y"))
        case "RSA":
            writer.add("e", string: try required(self.e, "e"))
            writer.add("kty", string: self.keyType)
            writer.add("n", string: try required(self.n, "n"))
        case "OKP":
            writer.add("crv", string: try requiredCurve())
            writer.add("kty", string: self.keyType)
            writer.add("x", string: try required(self.x, "x"))
        default:
            throw StepCryptoError.unsupported("JWK key type \(self.keyType)")
        }
        return Base64URL.encode(Array(SHA256.hash(data: Data(writer.json.utf8))))
    }

    fileprivate var binaryMembers: [(String, Data?)] {
        [
            ("x", self.x), ("y", self.y), ("n", self.n), ("e", self.e), ("d", self.d),
            ("p", self.p), ("q", self.q), ("dp", self.dp), ("dq", self.dq), ("qi", self.qi),
        ]
    }
}

extension JWK: Codable {
    private enum CodingKeys: String, CodingKey {
        case use, kty, kid, crv, alg, x, y, n, e, d, p, q, dp, dq, qi
    }

    /// Decodes the members; binary members must be unpadded base64url.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func binary(_ key: CodingKeys) throws -> Data? {
            guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
            return try Base64URL.decode(text, what: "JWK member \(key.rawValue)")
        }
        self.init(
            keyType: try container.decode(String.self, forKey: .kty),
            use: try container.decodeIfPresent(String.self, forKey: .use),
            keyID: try container.decodeIfPresent(String.self, forKey: .kid),
            curve: try container.decodeIfPresent(String.self, forKey: .crv),
            algorithm: try container.decodeIfPresent(String.self, forKey: .alg),
            x: try binary(.x), y: try binary(.y), n: try binary(.n), e: try binary(.e),
            d: try binary(.d), p: try binary(.p), q: try binary(.q),
            dp: try binary(.dp), dq: try binary(.dq), qi: try binary(.qi)
        )
    }

    /// Encodes the members in step's order (an encoder may still reorder them; use
    /// ``jsonData()`` when the exact bytes matter).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(self.use, forKey: .use)
        try container.encode(self.keyType, forKey: .kty)
        try container.encodeIfPresent(self.keyID, forKey: .kid)
        try container.encodeIfPresent(self.curve, forKey: .crv)
        try container.encodeIfPresent(self.algorithm, forKey: .alg)
        for (name, value) in self.binaryMembers {
            if let value, let key = CodingKeys(rawValue: name) {
                try container.encode(Base64URL.encode(value), forKey: key)
            }
        }
    }
}
