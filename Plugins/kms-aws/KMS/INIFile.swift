/// The sections of an AWS shared credentials or config file (INI syntax).
///
/// Section names are kept as written (`default`, `profile dev`); keys are lower-cased; `#` and
/// `;` start comment lines. Nested (indented) sub-properties are ignored.
struct INIFile: Sendable {
    private(set) var sections: [String: [String: String]] = [:]

    init(text: String) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.awsTrimmed(of: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).awsTrimmed(of: " \t")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, !indented, let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).awsTrimmed(of: " \t").lowercased()
            let value = String(line[line.index(after: eq)...]).awsTrimmed(of: " \t")
            sections[section, default: [:]][key] = value
        }
    }

    subscript(section: String) -> [String: String]? { sections[section] }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    func awsTrimmed(of set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
