/// The bytes of a configuration file plus a line index, for turning byte
/// offsets into 1-based line and column numbers and for slicing raw text.
struct SourceText: Sendable {
    let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    /// The line and column (both 1-based; columns count characters, not bytes).
    func position(of offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(offset, 0), bytes.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let lineStart = lineStarts[low]
        var column = 1
        var index = lineStart
        while index < clamped {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        // A position inside a multi-byte character belongs to that character.
        if clamped < bytes.count, bytes[clamped] & 0xC0 == 0x80 { column -= 1 }
        return (low + 1, max(column, 1))
    }

    /// The exact source text of a parsed value.
    func text(of node: JSONNode) -> String {
        String(decoding: bytes[node.start..<node.end], as: UTF8.self)
    }
}
