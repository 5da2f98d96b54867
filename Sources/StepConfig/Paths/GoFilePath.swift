/// Lexical path operations that behave like Go's `path/filepath` on Unix,
/// so that resolved paths are spelled exactly as step-ca would spell them.
enum GoFilePath {
    /// `filepath.IsAbs`.
    static func isAbsolute(_ path: String) -> Bool {
        path.hasPrefix("/")
    }

    /// `filepath.Join`: the non-empty elements joined by `/`, then cleaned;
    /// `""` when every element is empty.
    static func join(_ elements: String...) -> String {
        let parts = elements.filter { !$0.isEmpty }
        if parts.isEmpty { return "" }
        return clean(parts.joined(separator: "/"))
    }

    /// `filepath.Clean`: collapses repeated slashes, removes `.` elements and
    /// resolves `..` lexically; `""` becomes `"."`.
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var stack: [Substring] = []
        for element in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch element {
            case ".":
                continue
            case "..":
                if let last = stack.last, last != ".." {
                    stack.removeLast()
                } else if !rooted {
                    stack.append(element)
                }
            default:
                stack.append(element)
            }
        }
        let body = stack.joined(separator: "/")
        if rooted { return "/" + body }
        return body.isEmpty ? "." : body
    }
}
