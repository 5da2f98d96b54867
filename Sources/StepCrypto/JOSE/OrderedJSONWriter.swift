/// Writes a compact JSON object with members in a chosen order, escaping strings as Go's
/// `encoding/json` does (including `<`, `>`, `&`, U+2028 and U+2029), so output matches step's byte for byte.
struct OrderedJSONWriter {
    private var body = ""
    private var isFirst = true

    mutating func add(_ name: String, string value: String?) {
        guard let value else { return }
        self.addName(name)
        self.body += Self.quoted(value)
    }

    mutating func add(_ name: String, integer value: Int) {
        self.addName(name)
        self.body += String(value)
    }

    var json: String {
        "{" + self.body + "}"
    }

    private mutating func addName(_ name: String) {
        if !self.isFirst {
            self.body += ","
        }
        self.isFirst = false
        self.body += Self.quoted(name) + ":"
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += Self.unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += Self.unicodeEscape(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
