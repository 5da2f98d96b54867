/// RFC 4180 CSV: a header row, CRLF line endings, a field quoted (with `"` doubled) when it
/// holds a comma, a quote, CR or LF. SANs are one field, `kind:value` items joined by spaces
/// (`dns:a.example ip:10.0.0.1 email:ops@example.com uri:spiffe://example/x`). Unknown values are
/// empty fields; `revoked` is `true`/`false`. Values are written as stored: a cell beginning with
/// `=`, `+`, `-` or `@` is not neutralised for spreadsheets.
struct CSVFormatter: RecordFormatter {
    static let columns = [
        "serial", "subject", "sans", "notBefore", "notAfter", "status",
        "provisionerName", "provisionerType", "provisionerId", "provisionerSource",
        "revoked", "reasonCode", "reason", "revokedAt", "error",
    ]

    var header: [UInt8] { Array((Self.columns.joined(separator: ",") + "\r\n").utf8) }

    func append(_ record: ExportRecord, to out: inout [UInt8]) {
        let fields: [String?] = [
            record.serial,
            record.subject,
            record.sans.map(Self.sanField),
            record.notBefore.map(ExportTime.format),
            record.notAfter.map(ExportTime.format),
            record.status?.rawValue,
            record.provisioner?.name,
            record.provisioner?.type,
            record.provisioner?.id,
            record.provisioner?.source.rawValue,
            record.revoked ? "true" : "false",
            record.revocation?.reasonCode.map(String.init),
            record.revocation?.reason,
            record.revocation?.revokedAt.map(GoTime.format),
            record.error,
        ]
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let field { Self.field(field, &out) }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    static func sanField(_ sans: ExportRecord.SubjectAlternativeNames) -> String {
        (sans.dns.map { "dns:" + $0 } + sans.ip.map { "ip:" + $0 } + sans.email.map { "email:" + $0 }
            + sans.uri.map { "uri:" + $0 }).joined(separator: " ")
    }

    static func field(_ text: String, _ out: inout [UInt8]) {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
        guard needsQuotes else { return out.append(utf8: text) }
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
