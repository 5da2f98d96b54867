import Foundation
import StepCrypto
import StepConfig

/// The ca.json that `init` writes: step's layout and member order, with the SQLite database.
enum CAConfigWriter {
    static func caJSON(rootPath: String, crtPath: String, keyPath: String, address: String, dnsNames: [String],
                       databasePath: String?, provisionerName: String, publicJWK: JWK, encryptedKey: String) -> OrderedJSON {
        var members: [(String, OrderedJSON)] = [
            ("root", .string(rootPath)),
            ("federatedRoots", .null),
            ("crt", .string(crtPath)),
            ("key", .string(keyPath)),
            ("address", .string(address)),
            ("insecureAddress", .string("")),
            ("dnsNames", .array(dnsNames.map { .string($0) })),
            ("logger", .object([("format", .string("text"))])),
        ]
        if let databasePath {
            members.append(("db", .object([("type", .string("sqlite")), ("dataSource", .string(databasePath))])))
        }
        let provisioner = OrderedJSON.object([
            ("type", .string("JWK")),
            ("name", .string(provisionerName)),
            ("key", jwkJSON(publicJWK)),
            ("encryptedKey", .string(encryptedKey)),
        ])
        members.append(("authority", .object([("provisioners", .array([provisioner]))])))
        members.append(("tls", .object([
            ("cipherSuites", .array(TLSOptions.defaultCipherSuites.map { .string($0) })),
            ("minVersion", .number("1.2")),
            ("maxVersion", .number("1.3")),
            ("renegotiation", .bool(false)),
        ])))
        return .object(members)
    }

    /// A public JWK in step's member order: use, kty, kid, crv, alg, x, y (RSA: n, e).
    static func jwkJSON(_ jwk: JWK) -> OrderedJSON {
        var members: [(String, OrderedJSON)] = []
        if let use = jwk.use { members.append(("use", .string(use))) }
        members.append(("kty", .string(jwk.keyType)))
        if let kid = jwk.keyID { members.append(("kid", .string(kid))) }
        if let crv = jwk.curve { members.append(("crv", .string(crv))) }
        if let alg = jwk.algorithm { members.append(("alg", .string(alg))) }
        if let x = jwk.x { members.append(("x", .string(Base64URL.encode(x)))) }
        if let y = jwk.y { members.append(("y", .string(Base64URL.encode(y)))) }
        if let n = jwk.n { members.append(("n", .string(Base64URL.encode(n)))) }
        if let e = jwk.e { members.append(("e", .string(Base64URL.encode(e)))) }
        return .object(members)
    }
}
