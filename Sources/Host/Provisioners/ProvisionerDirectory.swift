import Crypto
import Foundation
import StepConfig
import StepCrypto

/// The provisioners of ca.json, indexed the ways step-ca looks them up, with the listing order
/// and cursors of `GET /provisioners` (reference §3.13).
struct ProvisionerDirectory: Sendable {
    struct Entry: Sendable {
        let provisioner: Provisioner
        /// 40 hex characters: SHA-1 of the id with its first 4 bytes replaced by the index.
        let cursorKey: String
        /// The compact JSON served by `GET /provisioners`.
        let listingJSON: String
    }

    let entries: [Entry]
    private let byTokenID: [String: Int]
    /// Parsed public keys of JWK provisioners, by provisioner id.
    private let jwks: [String: JWK]

    init(_ provisioners: [Provisioner]) {
        var entries: [Entry] = []
        var byTokenID: [String: Int] = [:]
        var jwks: [String: JWK] = [:]
        for (index, provisioner) in provisioners.enumerated() {
            if case .jwk(let details) = provisioner.details, let key = try? JWK(jsonData: Data(details.key.rawJSON.utf8)) {
                jwks[provisioner.id] = key.publicJWK
            }
            var digest = Array(Insecure.SHA1.hash(data: Data(provisioner.id.utf8)))
            let position = UInt32(index)
            digest[0] = UInt8(position >> 24)
            digest[1] = UInt8((position >> 16) & 0xff)
            digest[2] = UInt8((position >> 8) & 0xff)
            digest[3] = UInt8(position & 0xff)
            let key = digest.map { String(format: "%02x", $0) }.joined()
            var json = Self.listingJSON(provisioner, key: jwks[provisioner.id])
            if let reason = provisioner.uninitializedReason, json.hasSuffix("}") {
                json.removeLast()
                json += ",\"state\":\"Uninitialized\",\"stateReason\":\(OrderedJSON.quote(reason))}"
            }
            entries.append(Entry(provisioner: provisioner, cursorKey: key, listingJSON: json))
            byTokenID[provisioner.id] = index
        }
        self.entries = entries.sorted { $0.cursorKey < $1.cursorKey }
        self.byTokenID = byTokenID
        self.jwks = jwks
        // Indexes refer to the original order.
        self.originalOrder = provisioners
    }

    private let originalOrder: [Provisioner]

    /// The provisioner whose token id (`GetIDForToken`) is `id`, e.g. `name:kid` for JWK.
    func provisioner(tokenID id: String) -> Provisioner? {
        byTokenID[id].map { originalOrder[$0] }
    }

    /// A JWK provisioner in the member order step-ca marshals it (type, name, key, encryptedKey,
    /// claims, options); other types as written in ca.json.
    static func listingJSON(_ provisioner: Provisioner, key: JWK?) -> String {
        guard case .jwk(let details) = provisioner.details, let key,
              let object = try? JSONSerialization.jsonObject(with: Data(provisioner.rawJSON.utf8)) as? [String: Any]
        else { return CompactJSON.minify(provisioner.rawJSON) }
        var members: [(String, OrderedJSON)] = [
            ("type", .string(provisioner.typeName)),
            ("name", .string(provisioner.name)),
            ("key", CAConfigWriter.jwkJSON(key)),
        ]
        if let encrypted = details.encryptedKey { members.append(("encryptedKey", .string(encrypted))) }
        for name in ["claims", "options"] {
            if let value = object[name], !(value is NSNull),
               let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) {
                members.append((name, .raw(String(decoding: data, as: UTF8.self))))
            }
        }
        return OrderedJSON.object(members).compact()
    }

    /// The public key of a JWK provisioner (nil when its `key` is not a usable public JWK).
    func jwk(for provisioner: Provisioner) -> JWK? {
        jwks[provisioner.id]
    }

    /// The JWK provisioner whose key has `kid` and an encryptedKey.
    func encryptedKey(kid: String) -> String? {
        for provisioner in originalOrder {
            if case .jwk(let jwk) = provisioner.details, jwk.key.keyID == kid, let key = jwk.encryptedKey, !key.isEmpty {
                return key
            }
        }
        return nil
    }

    /// One page of the listing from `cursor` (left-padded with zeros to 40), and the next cursor.
    func page(cursor: String, limit: Int) -> (entries: [Entry], nextCursor: String) {
        let padded = cursor.count >= 40 ? cursor : String(repeating: "0", count: 40 - cursor.count) + cursor
        let remaining = entries.filter { $0.cursorKey >= padded }
        let page = Array(remaining.prefix(limit))
        guard remaining.count > limit else { return (page, "") }
        var next = Substring(remaining[limit].cursorKey)
        while next.first == "0" { next = next.dropFirst() }
        return (page, String(next))
    }
}

/// Removes insignificant whitespace from JSON text, keeping member order and string contents.
enum CompactJSON {
    static func minify(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inString = false
        var escaped = false
        for scalar in text.unicodeScalars {
            if inString {
                out.append(scalar)
                if escaped { escaped = false }
                else if scalar == "\\" { escaped = true }
                else if scalar == "\"" { inString = false }
                continue
            }
            switch scalar {
            case " ", "\t", "\n", "\r": continue
            case "\"": inString = true; out.append(scalar)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
