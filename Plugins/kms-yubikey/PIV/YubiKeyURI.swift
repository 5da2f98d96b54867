import FoundationEssentials
import PluginKit

/// A `yubikey:` URI as step-ca writes them: attributes in the path (`k=v;k=v`) and in the query
/// (`?k=v&k=v`), percent-encoded. Path attributes win over query attributes of the same name.
struct YubiKeyURI {
    private(set) var attributes: [(name: String, value: String)] = []

    init(_ text: String) throws {
        guard text.lowercased().hasPrefix("yubikey:") else {
            throw PluginError.invalidArgument("\"\(Self.redacted(text))\" is not a yubikey URI (yubikey:slot-id=9c, yubikey:serial=…?pin-value=…)")
        }
        let rest = text.dropFirst("yubikey:".count)
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            for item in part.split(separator: index == 0 ? ";" : "&") where !item.isEmpty {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = Self.decode(pair[0]), let value = Self.decode(pair.count > 1 ? pair[1] : "") else {
                    throw PluginError.invalidArgument("\"\(Self.redacted(text))\": bad percent-encoding in attribute \"\(pair[0])\"")
                }
                attributes.append((name.lowercased(), value))
            }
        }
    }

    /// The value of an attribute (path first, then query), or nil.
    func value(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The URI without secrets (`pin-value`, `management-key`), for messages.
    var redacted: String {
        var path: [String] = []
        for (name, value) in attributes where !Self.secretNames.contains(name) {
            path.append("\(name)=\(value)")
        }
        return "yubikey:" + path.joined(separator: ";")
    }

    static let secretNames: Set<String> = ["pin-value", "management-key", "pin"]

    /// A possibly malformed URI with secret attribute values masked, for messages.
    static func redacted(_ text: String) -> String {
        var result = ""
        var skipping = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if skipping {
                if character == ";" || character == "&" || character == "?" { skipping = false; result.append(character) }
            } else {
                result.append(character)
                if character == "=" {
                    let head = result.dropLast()
                    let start = head.lastIndex(where: { $0 == ";" || $0 == "&" || $0 == "?" || $0 == ":" }).map { head.index(after: $0) } ?? head.startIndex
                    if secretNames.contains(head[start...].lowercased()) {
                        result += "***"
                        skipping = true
                    }
                }
            }
            index = text.index(after: index)
        }
        return result
    }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// A key name: `yubikey:slot-id=9c`.
struct YubiKeySlotName {
    let slot: PIVSlot

    init(_ name: String) throws {
        let uri = try YubiKeyURI(name)
        guard let id = uri.value("slot-id") else {
            throw PluginError.invalidArgument("key name \"\(uri.redacted)\" has no slot-id (yubikey:slot-id=9c)")
        }
        guard let slot = PIVSlot(hex: id.lowercased()) else {
            throw PluginError.invalidArgument("key name \"\(uri.redacted)\": slot-id \"\(id)\" is not a PIV key slot (9a, 9c, 9d, 9e, 82–95)")
        }
        self.slot = slot
    }

    /// The canonical name.
    var name: String { "yubikey:slot-id=\(slot)" }
}

/// Hex text to bytes; nil when it is not an even number of hex digits.
func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
        guard let value = UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
        bytes.append(value)
    }
    return bytes
}
