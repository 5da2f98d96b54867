import Foundation

/// Reads the members of one JSON object against the list of keys step-ca
/// knows at that place.
///
/// Keys match as Go's encoding/json matches them: exactly, or else ignoring
/// letter case (with a warning). Unknown keys produce a warning naming the
/// closest known key; duplicates produce a warning and the last one wins.
struct ObjectReader {
    let context: DecodeContext
    let path: JSONPath
    let node: JSONNode
    private let members: [String: JSONMember]

    /// Reads `node` as an object with the given known keys. Returns `nil` for
    /// `null` (not set) and, after recording a type error, for non-objects.
    init?(_ node: JSONNode, at path: JSONPath, context: DecodeContext, keys: [String]) {
        guard case .object(let list) = node.value else {
            if !node.isNull { context.typeMismatch(node, path, expected: "an object") }
            return nil
        }
        self.context = context
        self.path = path
        self.node = node
        var byKey: [String: JSONMember] = [:]
        for member in list {
            let memberPath = path.appending(member.key)
            let canonical: String
            if keys.contains(member.key) {
                canonical = member.key
            } else if let folded = keys.first(where: { $0.lowercased() == member.key.lowercased() }) {
                canonical = folded
                context.warning(.keyCaseMismatch, memberPath,
                                "key is spelled \(GoQuote.quote(folded)) in step-ca; accepted ignoring case",
                                suggestion: folded, at: member.keyOffset)
            } else {
                let suggestion = KeySuggestion.nearest(to: member.key, in: keys)
                let hint = suggestion.map { "; did you mean \(GoQuote.quote($0))?" } ?? ""
                context.warning(.unknownKey, memberPath, "unknown key" + hint,
                                suggestion: suggestion, at: member.keyOffset)
                continue
            }
            if byKey[canonical] != nil {
                context.warning(.duplicateKey, memberPath, "duplicate key; the last value is used",
                                at: member.keyOffset)
            }
            byKey[canonical] = member
        }
        self.members = byKey
    }

    /// The path of a member of this object.
    func path(_ key: String) -> JSONPath { path.appending(key) }

    /// The member's value, or `nil` when absent or `null`.
    func value(_ key: String) -> JSONNode? {
        guard let node = members[key]?.value, !node.isNull else { return nil }
        return node
    }

    /// Whether the key is present at all, even as `null`.
    func contains(_ key: String) -> Bool { members[key] != nil }

    /// Byte offset of the key's value, or of the object when the key is absent.
    func offset(_ key: String) -> Int { members[key]?.value.start ?? node.start }

    func string(_ key: String) -> String? {
        value(key).flatMap { context.string($0, path(key)) }
    }

    /// A string that must be present and non-empty; records `missingValue` otherwise.
    func requiredString(_ key: String, _ what: String? = nil) -> String? {
        guard let node = value(key) else {
            missing(key, what)
            return nil
        }
        guard let text = context.string(node, path(key)) else { return nil }
        if text.isEmpty {
            missing(key, what)
            return nil
        }
        return text
    }

    /// Records that a required member is absent or empty.
    func missing(_ key: String, _ what: String? = nil) {
        context.error(.missingValue, path(key), "\(what ?? key) is required and cannot be empty", at: offset(key))
    }

    func bool(_ key: String) -> Bool? { value(key).flatMap { context.bool($0, path(key)) } }
    func int(_ key: String) -> Int? { value(key).flatMap { context.int($0, path(key)) } }
    func double(_ key: String) -> Double? { value(key).flatMap { context.double($0, path(key)) } }
    func duration(_ key: String) -> GoDuration? { value(key).flatMap { context.duration($0, path(key)) } }
    func strings(_ key: String) -> [String]? { value(key).flatMap { context.strings($0, path(key)) } }
    func stringOrStrings(_ key: String) -> [String]? {
        value(key).flatMap { context.stringOrStrings($0, path(key)) }
    }
    func base64(_ key: String) -> Data? { value(key).flatMap { context.base64($0, path(key)) } }
    func rawObject(_ key: String) -> String? { value(key).flatMap { context.rawObject($0, path(key)) } }
    func rawValue(_ key: String) -> String? { value(key).flatMap { context.rawValue($0) } }

    /// A nested object with its own known keys.
    func object(_ key: String, keys: [String]) -> ObjectReader? {
        value(key).flatMap { ObjectReader($0, at: path(key), context: context, keys: keys) }
    }

    /// The elements of a nested array with their paths.
    func array(_ key: String) -> [(node: JSONNode, path: JSONPath)]? {
        value(key).flatMap { context.array($0, path(key)) }
    }

    /// Records an invalid value at a member.
    func invalid(_ key: String, _ reason: String) {
        context.error(.invalidValue, path(key), reason, at: offset(key))
    }
}
