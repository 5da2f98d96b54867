import FoundationEssentials

/// PEM text to DER bytes.
enum PEM {
    /// The DER inside `-----BEGIN label-----` … `-----END label-----`, or nil.
    static func decode(_ text: String, label: String) -> [UInt8]? {
        guard let begin = text.range(of: "-----BEGIN \(label)-----"),
              let end = text.range(of: "-----END \(label)-----"), begin.upperBound <= end.lowerBound else { return nil }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map { Array($0) }
    }
}
