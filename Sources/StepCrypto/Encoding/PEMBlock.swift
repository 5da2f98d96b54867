import Foundation

/// One PEM block: `-----BEGIN <type>-----`, optional RFC 1421 headers, base64 body.
///
/// Unlike swift-asn1's `PEMDocument`, this keeps the headers, which legacy encrypted
/// keys (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`) need.
public struct PEMBlock: Hashable, Sendable {
    /// One `Name: value` header line.
    public struct Header: Hashable, Sendable {
        /// The header name, such as `DEK-Info`.
        public var name: String
        /// The text after the colon, without surrounding spaces.
        public var value: String

        /// Creates a header.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The label, such as `EC PRIVATE KEY` or `CERTIFICATE`.
    public var type: String
    /// Headers in file order.
    public var headers: [Header]
    /// The decoded body.
    public var bytes: Data

    /// Creates a block.
    public init(type: String, headers: [Header] = [], bytes: Data) {
        self.type = type
        self.headers = headers
        self.bytes = bytes
    }

    /// The value of the first header with this name (compared case-insensitively), if any.
    public func header(named name: String) -> String? {
        let wanted = name.lowercased()
        return self.headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The PEM text: headers, a blank line if there are headers, base64 in 64-column lines,
    /// `\n` line endings and a final newline.
    public var encoded: String {
        var out = "-----BEGIN \(self.type)-----\n"
        for header in self.headers {
            out += "\(header.name): \(header.value)\n"
        }
        if !self.headers.isEmpty {
            out += "\n"
        }
        let base64 = Array(self.bytes.base64EncodedString().utf8)
        var index = 0
        while index < base64.count {
            let end = min(index + 64, base64.count)
            out += String(decoding: base64[index..<end], as: UTF8.self) + "\n"
            index = end
        }
        out += "-----END \(self.type)-----\n"
        return out
    }

    /// Parses every PEM block in `text`, ignoring text between blocks.
    ///
    /// - Throws: ``StepCryptoError/Code/malformedInput`` if there is no block, a block is not
    ///   terminated, its END label differs from its BEGIN label, or its body is not base64.
    public static func parseAll(_ text: String) throws -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).makeIterator()
        while let rawLine = lines.next() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let type = Self.label(of: line, marker: "BEGIN") else { continue }
            blocks.append(try Self.parseBlock(type: type, lines: &lines))
        }
        guard !blocks.isEmpty else {
            throw StepCryptoError.malformed("no PEM block found")
        }
        return blocks
    }

    /// Parses PEM text given as bytes; the bytes must be UTF-8.
    public static func parseAll(_ data: Data) throws -> [PEMBlock] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw StepCryptoError.malformed("not PEM: the data is not UTF-8 text")
        }
        return try Self.parseAll(text)
    }

    private static func parseBlock<Lines: IteratorProtocol>(type: String, lines: inout Lines) throws -> PEMBlock
    where Lines.Element == Substring {
        var headers: [Header] = []
        var body = ""
        var inHeaders = true
        while let rawLine = lines.next() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if let endType = Self.label(of: line, marker: "END") {
                guard endType == type else {
                    throw StepCryptoError.malformed("PEM block BEGIN \(type) ends with END \(endType)")
                }
                guard let bytes = Data(base64Encoded: body) else {
                    throw StepCryptoError.malformed("PEM block \(type) has an invalid base64 body")
                }
                return PEMBlock(type: type, headers: headers, bytes: bytes)
            }
            if inHeaders {
                if let first = rawLine.first, first == " " || first == "\t", !headers.isEmpty, !line.isEmpty {
                    // RFC 1421 folded header continuation.
                    headers[headers.count - 1].value += " " + line
                    continue
                }
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    headers.append(Header(name: name, value: value))
                    continue
                }
                inHeaders = false
            }
            body += line
        }
        throw StepCryptoError.malformed("PEM block \(type) has no END line")
    }

    private static func label(of line: String, marker: String) -> String? {
        let prefix = "-----\(marker) "
        guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count > prefix.count + 5 else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(5))
    }
}
