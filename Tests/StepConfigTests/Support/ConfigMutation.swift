import Foundation
import StepConfig

/// Builds broken variants of a valid configuration by editing its JSON tree.
enum ConfigMutation {
    /// A small valid configuration: one JWK provisioner, defaults elsewhere.
    static let baseJSON = """
    {
      "root": "certs/root_ca.crt",
      "crt": "certs/intermediate_ca.crt",
      "key": "secrets/intermediate_ca_key",
      "address": "127.0.0.1:9443",
      "dnsNames": ["localhost"],
      "db": {"type": "badgerv2", "dataSource": "db"},
      "authority": {
        "provisioners": [
          {"type": "JWK", "name": "admin",
           "key": {"use": "sig", "kty": "EC", "kid": "kid-1", "crv": "P-256", "alg": "ES256", "x": "AA", "y": "BB"}}
        ]
      }
    }
    """

    enum Edit {
        /// Sets the value at a dotted path (creating objects on the way); `nil` removes it.
        case set(String, Any?)
        /// Appends a value to the array at a path.
        case append(String, Any)
    }

    /// The base configuration with the edits applied, as JSON text.
    static func json(_ edits: [Edit]) -> String {
        var tree = try! JSONSerialization.jsonObject(with: Data(baseJSON.utf8)) as Any
        for edit in edits {
            switch edit {
            case .set(let path, let value):
                tree = set(tree, JSONPath(path).components[...], value)
            case .append(let path, let value):
                let components = JSONPath(path).components
                let existing = get(tree, components[...]) as? [Any] ?? []
                tree = set(tree, components[...], existing + [value])
            }
        }
        let data = try! JSONSerialization.data(withJSONObject: tree, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func get(_ tree: Any, _ path: ArraySlice<JSONPath.Component>) -> Any? {
        guard let first = path.first else { return tree }
        switch first {
        case .key(let key): return (tree as? [String: Any])?[key].flatMap { get($0, path.dropFirst()) }
        case .index(let index):
            guard let array = tree as? [Any], array.indices.contains(index) else { return nil }
            return get(array[index], path.dropFirst())
        }
    }

    private static func set(_ tree: Any, _ path: ArraySlice<JSONPath.Component>, _ value: Any?) -> Any {
        guard let first = path.first else { return value ?? NSNull() }
        switch first {
        case .key(let key):
            var object = tree as? [String: Any] ?? [:]
            if path.count == 1 {
                object[key] = value
            } else {
                object[key] = set(object[key] ?? [String: Any](), path.dropFirst(), value)
            }
            return object
        case .index(let index):
            var array = tree as? [Any] ?? []
            while array.count <= index { array.append([String: Any]()) }
            array[index] = set(array[index], path.dropFirst(), value)
            return array
        }
    }
}
