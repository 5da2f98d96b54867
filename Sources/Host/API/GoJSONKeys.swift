import Foundation

/// Go's `encoding/json` matches an object's keys to a struct's fields without regard to case:
/// step-ca takes `{"CSR": …, "Ott": …}` for a sign request. These decode request bodies the same
/// way (an exact match first, then an ASCII case-insensitive one).
enum GoJSONKeys {
    /// A decoder for a flat body with these field names.
    static func decoder(fields: [String]) -> JSONDecoder {
        let canonical = Dictionary(fields.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let exact = Set(fields)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path[path.count - 1]
            if exact.contains(key.stringValue) { return key }
            guard let name = canonical[key.stringValue.lowercased()] else { return key }
            return Key(stringValue: name)
        }
        return decoder
    }

    /// The value for `field` in an object decoded by `JSONSerialization`.
    static func value(_ object: [String: Any], _ field: String) -> Any? {
        if let value = object[field] { return value }
        let folded = field.lowercased()
        return object.first { $0.key.lowercased() == folded }?.value
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
