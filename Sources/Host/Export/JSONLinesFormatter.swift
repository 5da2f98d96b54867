/// One JSON object per line, every member always present in this order (null when unknown):
///
/// `{"serial":"…","subject":"CN=…","sans":{"dns":[…],"ip":[…],"email":[…],"uri":[…]},`
/// `"notBefore":"…Z","notAfter":"…Z","status":"active|expired|revoked",`
/// `"provisioner":{"name":"…","type":"JWK","id":"…"|null,"source":"data|extension"}|null,`
/// `"revoked":false,"reasonCode":null,"reason":null,"revokedAt":null,"error":null}`
struct JSONLinesFormatter: RecordFormatter {
    var header: [UInt8] { [] }

    func append(_ record: ExportRecord, to out: inout [UInt8]) {
        out.append(utf8: "{\"serial\":")
        Self.string(record.serial, &out)
        out.append(utf8: ",\"subject\":")
        Self.optional(record.subject, &out)
        out.append(utf8: ",\"sans\":")
        if let sans = record.sans {
            out.append(utf8: "{\"dns\":")
            Self.array(sans.dns, &out)
            out.append(utf8: ",\"ip\":")
            Self.array(sans.ip, &out)
            out.append(utf8: ",\"email\":")
            Self.array(sans.email, &out)
            out.append(utf8: ",\"uri\":")
            Self.array(sans.uri, &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(utf8: "null")
        }
        out.append(utf8: ",\"notBefore\":")
        Self.optional(record.notBefore.map(ExportTime.format), &out)
        out.append(utf8: ",\"notAfter\":")
        Self.optional(record.notAfter.map(ExportTime.format), &out)
        out.append(utf8: ",\"status\":")
        Self.optional(record.status?.rawValue, &out)
        out.append(utf8: ",\"provisioner\":")
        if let provisioner = record.provisioner {
            out.append(utf8: "{\"name\":")
            Self.string(provisioner.name, &out)
            out.append(utf8: ",\"type\":")
            Self.string(provisioner.type, &out)
            out.append(utf8: ",\"id\":")
            Self.optional(provisioner.id, &out)
            out.append(utf8: ",\"source\":")
            Self.string(provisioner.source.rawValue, &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(utf8: "null")
        }
        out.append(utf8: record.revoked ? ",\"revoked\":true,\"reasonCode\":" : ",\"revoked\":false,\"reasonCode\":")
        out.append(utf8: record.revocation?.reasonCode.map(String.init) ?? "null")
        out.append(utf8: ",\"reason\":")
        Self.optional(record.revocation?.reason, &out)
        out.append(utf8: ",\"revokedAt\":")
        Self.optional(record.revocation?.revokedAt.map(GoTime.format), &out)
        out.append(utf8: ",\"error\":")
        Self.optional(record.error, &out)
        out.append(utf8: "}\n")
    }

    private static func optional(_ text: String?, _ out: inout [UInt8]) {
        if let text { string(text, &out) } else { out.append(utf8: "null") }
    }

    private static func array(_ items: [String], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(item, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`… or
    /// `\u00XX`; everything else as UTF-8.
    static func string(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
