import PluginKit

/// A PKCS#11 URI (RFC 7512): `pkcs11:path-attr=value;...?query-attr=value&...`.
///
/// Values are percent-decoded. Path attributes select the module, token and object
/// (`module-path`, `token`, `manufacturer`, `serial`, `model`, `slot-id`, `id`, `object`, `type`);
/// query attributes carry the PIN (`pin-value`, `pin-source`). ``redacted`` is the URI without
/// `pin-value`, for messages.
public struct PKCS11URI: Sendable, Equatable {
    /// The percent-decoded path attributes, by lower-cased name.
    public private(set) var path: [String: [UInt8]] = [:]
    /// The percent-decoded query attributes, by lower-cased name.
    public private(set) var query: [String: [UInt8]] = [:]
    /// The URI as written, without `pin-value`.
    public let redacted: String

    /// Parses `text`; errors are ``PluginError/invalidArgument(_:)`` naming the URI (without a PIN).
    public init(parsing text: String) throws {
        redacted = Self.redact(text)
        guard text.count >= 7, text.prefix(7).lowercased() == "pkcs11:" else {
            throw PluginError.invalidArgument("\(redacted): not a PKCS#11 URI (it must start with pkcs11:)")
        }
        let body = text.dropFirst(7)
        let pathPart: Substring
        let queryPart: Substring?
        if let mark = body.firstIndex(of: "?") {
            pathPart = body[..<mark]
            queryPart = body[body.index(after: mark)...]
        } else {
            pathPart = body
            queryPart = nil
        }
        path = try Self.attributes(pathPart, separator: ";", uri: redacted, section: "path")
        if let queryPart {
            query = try Self.attributes(queryPart, separator: "&", uri: redacted, section: "query")
        }
    }

    /// A path attribute as UTF-8 text.
    public func text(_ name: String) -> String? {
        path[name].map { String(decoding: $0, as: UTF8.self) }
    }

    /// A query attribute as UTF-8 text.
    public func queryText(_ name: String) -> String? {
        query[name].map { String(decoding: $0, as: UTF8.self) }
    }

    /// `module-path`.
    public var modulePath: String? { text("module-path") }
    /// `object`: the label (`CKA_LABEL`) of a key or certificate.
    public var object: [UInt8]? { path["object"] }
    /// `pin-value`.
    public var pinValue: [UInt8]? { query["pin-value"] }
    /// `pin-source`: a file whose first line is the PIN.
    public var pinSource: String? { queryText("pin-source") }

    /// `id` (`CKA_ID`), read as step-ca does: after percent-decoding, an even-length value that is
    /// valid hexadecimal (optionally prefixed with `0x`) is decoded from hex (`id=7331` is the two
    /// bytes 0x73 0x31); any other value is taken as its bytes (`id=%01` is the byte 0x01).
    public var id: [UInt8]? {
        guard let raw = path["id"], !raw.isEmpty else { return nil }
        return Self.decodeIdentifier(raw)
    }

    /// `slot-id`, a decimal number.
    public func slotID() throws -> UInt? {
        guard let text = text("slot-id") else { return nil }
        guard let value = UInt(text) else {
            throw PluginError.invalidArgument("\(redacted): slot-id \"\(text)\" is not a decimal number")
        }
        return value
    }

    static func decodeIdentifier(_ raw: [UInt8]) -> [UInt8] {
        var digits = raw[...]
        if digits.count >= 2, digits.first == UInt8(ascii: "0"), digits.dropFirst().first.map({ $0 | 0x20 }) == UInt8(ascii: "x") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.count % 2 == 0 else { return raw }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var iterator = digits.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return raw }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func attributes(_ section: Substring, separator: Character, uri: String,
                                   section name: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for component in section.split(separator: separator, omittingEmptySubsequences: true) {
            guard let equals = component.firstIndex(of: "=") else {
                throw PluginError.invalidArgument("\(uri): the \(name) attribute \"\(Self.redact(String(component)))\" has no value (expected name=value)")
            }
            let key = component[..<equals].lowercased()
            guard !key.isEmpty else {
                throw PluginError.invalidArgument("\(uri): a \(name) attribute has an empty name")
            }
            guard result[key] == nil else {
                throw PluginError.invalidArgument("\(uri): the attribute \(key) appears twice")
            }
            result[key] = try percentDecode(component[component.index(after: equals)...], uri: uri, attribute: key)
        }
        return result
    }

    /// Decodes `%XX` escapes; a malformed escape is an error naming the attribute.
    static func percentDecode(_ text: Substring, uri: String, attribute: String) throws -> [UInt8] {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < utf8.count,
                      let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) else {
                    throw PluginError.invalidArgument("\(uri): the attribute \(attribute) has a malformed percent escape")
                }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return bytes
    }

    /// The URI text without its `pin-value` query attribute.
    static func redact(_ text: String) -> String {
        guard let mark = text.firstIndex(of: "?") else { return text }
        let kept = text[text.index(after: mark)...].split(separator: "&").filter {
            !$0.lowercased().hasPrefix("pin-value")
        }
        let head = String(text[..<mark])
        return kept.isEmpty ? head : head + "?" + kept.joined(separator: "&")
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
