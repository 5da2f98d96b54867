/// The location of a value inside ca.json, written the way step-ca users read it:
/// `authority.provisioners[0].claims.maxTLSCertDuration`.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path: an object member or an array element.
    public enum Component: Hashable, Sendable {
        /// An object member, by its key as spelled in the file.
        case key(String)
        /// An array element, zero-based.
        case index(Int)
    }

    /// The steps from the top-level object down to the value.
    public private(set) var components: [Component]

    /// The path of the top-level object itself.
    public static let root = JSONPath(components: [])

    /// Makes a path from its steps.
    public init(components: [Component]) {
        self.components = components
    }

    /// Parses the dotted form used in messages (`a.b[2].c`); keys with other
    /// characters use the bracketed form `["key"]` written by ``description``.
    public init(_ text: String) {
        self.components = JSONPath.parse(text)
    }

    /// This path extended by an object member.
    public func appending(_ key: String) -> JSONPath {
        JSONPath(components: components + [.key(key)])
    }

    /// This path extended by an array element.
    public func appending(index: Int) -> JSONPath {
        JSONPath(components: components + [.index(index)])
    }

    /// Whether this is the path of the top-level object.
    public var isRoot: Bool { components.isEmpty }

    /// The last member key on the path, if the path ends in one.
    public var lastKey: String? {
        if case .key(let key)? = components.last { return key }
        return nil
    }

    /// `authority.provisioners[0].claims`; the root is written `$`.
    public var description: String {
        if components.isEmpty { return "$" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where JSONPath.isPlain(key):
                if !text.isEmpty { text += "." }
                text += key
            case .key(let key):
                text += "[\"" + key.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"") + "\"]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    private static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-")
        }
    }

    private static func parse(_ text: String) -> [Component] {
        guard text != "$" else { return [] }
        var result: [Component] = []
        var scalars = Substring(text).unicodeScalars[...]
        var current = ""
        func flush() {
            if !current.isEmpty { result.append(.key(current)) }
            current = ""
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case ".":
                flush()
            case "[":
                flush()
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    var key = ""
                    while let next = scalars.popFirst(), next != "\"" {
                        if next == "\\", let escaped = scalars.popFirst() {
                            key.unicodeScalars.append(escaped)
                        } else {
                            key.unicodeScalars.append(next)
                        }
                    }
                    _ = scalars.popFirst()  // the closing bracket
                    result.append(.key(key))
                } else {
                    var digits = ""
                    while let next = scalars.popFirst(), next != "]" {
                        digits.unicodeScalars.append(next)
                    }
                    result.append(.index(Int(digits) ?? 0))
                }
            default:
                current.unicodeScalars.append(scalar)
            }
        }
        flush()
        return result
    }
}
