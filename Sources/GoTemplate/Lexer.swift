/// Token kinds of Go's `text/template/parse` lexer.
enum TokenKind: Equatable {
    case text, leftDelim, rightDelim, identifier, field, variable, dot, string, rawString
    case charConstant, number, bool, `nil`, pipe, char, leftParen, rightParen, declare, assign, comma
    case space, eof, error
    case keyword(String)
}

/// A token: kind, text (raw source bytes as a string) and byte offset in the template text.
struct Token {
    var kind: TokenKind
    var text: String
    var pos: Int
    var line: Int
}

/// Splits template text into tokens, handling `{{- ` / ` -}}` trimming and `{{/* */}}` comments.
/// Errors become an `.error` token whose text is Go's message; lexing stops there.
struct Lexer {
    private let src: [UInt8]
    private var pos = 0
    private var line = 1
    private(set) var tokens: [Token] = []
    private var parenDepth = 0

    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]

    init(_ text: String) { src = Array(text.utf8) }

    private func str(_ from: Int, _ to: Int) -> String { String(decoding: src[from..<to], as: UTF8.self) }

    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private func has(_ s: String, at i: Int) -> Bool {
        let b = Array(s.utf8)
        guard i + b.count <= src.count else { return false }
        for k in 0..<b.count where src[i + k] != b[k] { return false }
        return true
    }

    private mutating func emit(_ kind: TokenKind, _ from: Int, _ to: Int, line l: Int) {
        tokens.append(Token(kind: kind, text: str(from, to), pos: from, line: l))
    }

    private mutating func fail(_ message: String) {
        tokens.append(Token(kind: .error, text: message, pos: pos, line: line))
    }

    private func countLines(_ from: Int, _ to: Int) -> Int { src[from..<to].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }

    /// Lexes the whole input.
    mutating func run() -> [Token] {
        while true {
            // Text up to the next "{{".
            var next = pos
            while next < src.count && !has("{{", at: next) { next += 1 }
            if next >= src.count {
                if pos < src.count { emit(.text, pos, src.count, line: line); line += countLines(pos, src.count) }
                tokens.append(Token(kind: .eof, text: "", pos: src.count, line: line))
                return tokens
            }
            // Left trim marker "{{- ".
            let trimLeft = next + 3 < src.count + 0 && has("{{-", at: next) && next + 3 < src.count && isSpace(src[next + 3])
            var textEnd = next
            if trimLeft { while textEnd > pos && isSpace(src[textEnd - 1]) { textEnd -= 1 } }
            if textEnd > pos { emit(.text, pos, textEnd, line: line) }
            line += countLines(pos, next)
            pos = next
            let delimStart = pos
            pos += trimLeft ? 3 : 2
            // Comment.
            var afterMarker = pos
            if trimLeft { while afterMarker < src.count && isSpace(src[afterMarker]) { afterMarker += 1 } }
            if has("/*", at: trimLeft ? pos + 1 : pos) || (trimLeft && has("/*", at: afterMarker) && afterMarker == pos + 1) {
                let cstart = trimLeft ? pos + 1 : pos
                var i = cstart + 2
                while i < src.count && !has("*/", at: i) { i += 1 }
                if i >= src.count { pos = delimStart; fail("unclosed comment"); return tokens }
                line += countLines(cstart, i)
                i += 2
                // Must be followed by right delimiter, possibly with trim marker.
                var trimRight = false
                if has(" -}}", at: i) || (i < src.count && isSpace(src[i]) && has("-}}", at: i + 1)) {
                    trimRight = true; i += 4
                } else if has("}}", at: i) {
                    i += 2
                } else {
                    pos = i; fail("comment ends before closing delimiter"); return tokens
                }
                pos = i
                if trimRight { while pos < src.count && isSpace(src[pos]) { if src[pos] == 0x0A { line += 1 }; pos += 1 } }
                continue
            }
            emit(.leftDelim, delimStart, delimStart + 2, line: line)
            parenDepth = 0
            if !lexInside() { return tokens }
        }
    }

    /// Lexes inside an action up to and including the right delimiter. Returns false on error.
    private mutating func lexInside() -> Bool {
        while true {
            // Right delimiter, with or without trim marker.
            if pos < src.count && isSpace(src[pos]) && has("-}}", at: pos + 1) {
                if parenDepth > 0 { fail("unclosed left paren"); return false }
                emit(.space, pos, pos + 1, line: line)
                emit(.rightDelim, pos + 2, pos + 4, line: line)
                pos += 4
                while pos < src.count && isSpace(src[pos]) { if src[pos] == 0x0A { line += 1 }; pos += 1 }
                return true
            }
            if has("}}", at: pos) {
                if parenDepth > 0 { fail("unclosed left paren"); return false }
                emit(.rightDelim, pos, pos + 2, line: line)
                pos += 2
                return true
            }
            guard pos < src.count else { fail("unclosed action"); return false }
            let c = src[pos]
            let start = pos
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A:
                let startLine = line
                while pos < src.count && isSpace(src[pos]) && !has(" -}}", at: pos) && !(isSpace(src[pos]) && has("-}}", at: pos + 1)) {
                    if src[pos] == 0x0A { line += 1 }
                    pos += 1
                }
                if pos == start { pos += 0 }
                if pos > start { emit(.space, start, pos, line: startLine) }
            case UInt8(ascii: "="):
                pos += 1; emit(.assign, start, pos, line: line)
            case UInt8(ascii: ":"):
                guard has(":=", at: pos) else { fail("expected :="); return false }
                pos += 2; emit(.declare, start, pos, line: line)
            case UInt8(ascii: "|"):
                pos += 1; emit(.pipe, start, pos, line: line)
            case UInt8(ascii: ","):
                pos += 1; emit(.comma, start, pos, line: line)
            case UInt8(ascii: "\""):
                pos += 1
                while true {
                    guard pos < src.count, src[pos] != 0x0A else { fail("unterminated quoted string"); return false }
                    if src[pos] == UInt8(ascii: "\\") { pos += 2; continue }
                    if src[pos] == UInt8(ascii: "\"") { pos += 1; break }
                    pos += 1
                }
                if pos > src.count { fail("unterminated quoted string"); return false }
                emit(.string, start, pos, line: line)
            case UInt8(ascii: "`"):
                pos += 1
                let startLine = line
                while pos < src.count && src[pos] != UInt8(ascii: "`") { if src[pos] == 0x0A { line += 1 }; pos += 1 }
                guard pos < src.count else { fail("unterminated raw quoted string"); return false }
                pos += 1
                emit(.rawString, start, pos, line: startLine)
            case UInt8(ascii: "'"):
                pos += 1
                while true {
                    guard pos < src.count, src[pos] != 0x0A else { fail("unterminated character constant"); return false }
                    if src[pos] == UInt8(ascii: "\\") { pos += 2; continue }
                    if src[pos] == UInt8(ascii: "'") { pos += 1; break }
                    pos += 1
                }
                if pos > src.count { fail("unterminated character constant"); return false }
                emit(.charConstant, start, pos, line: line)
            case UInt8(ascii: "$"):
                pos += 1
                while pos < src.count && isAlnum(src[pos]) { pos += 1 }
                emit(.variable, start, pos, line: line)
            case UInt8(ascii: "("):
                pos += 1; parenDepth += 1; emit(.leftParen, start, pos, line: line)
            case UInt8(ascii: ")"):
                pos += 1; parenDepth -= 1
                emit(.rightParen, start, pos, line: line)
                if parenDepth < 0 { fail("unexpected right paren"); return false }
            case UInt8(ascii: "."):
                if pos + 1 < src.count && src[pos + 1] >= 0x30 && src[pos + 1] <= 0x39 {
                    if !lexNumber() { return false }
                } else if pos + 1 < src.count && isAlnum(src[pos + 1]) {
                    pos += 1
                    while pos < src.count && isAlnum(src[pos]) { pos += 1 }
                    emit(.field, start, pos, line: line)
                } else {
                    pos += 1; emit(.dot, start, pos, line: line)
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), 0x30...0x39:
                if !lexNumber() { return false }
            default:
                if isAlnum(c) {
                    while pos < src.count && isAlnum(src[pos]) { pos += 1 }
                    let word = str(start, pos)
                    // An identifier must be followed by a space, delimiter, or operator char.
                    if pos < src.count, !isTerminator(src[pos]) {
                        fail("bad character \(quoteRune(src[pos]))"); return false
                    }
                    if Lexer.keywords.contains(word) { emit(.keyword(word), start, pos, line: line) }
                    else if word == "true" || word == "false" { emit(.bool, start, pos, line: line) }
                    else if word == "nil" { emit(.nil, start, pos, line: line) }
                    else { emit(.identifier, start, pos, line: line) }
                } else if c >= 0x21 && c < 0x7F {
                    // Other printable ASCII is a "char" item; the parser rejects it in context.
                    pos += 1; emit(.char, start, pos, line: line)
                } else {
                    fail("unrecognized character in action: \(quoteRune(c))"); return false
                }
            }
        }
    }

    private func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }

    private func isTerminator(_ c: UInt8) -> Bool {
        isSpace(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: "|") || c == UInt8(ascii: ":")
            || c == UInt8(ascii: ")") || c == UInt8(ascii: "(") || c == UInt8(ascii: "}") || c == UInt8(ascii: "=")
    }

    private func quoteRune(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "U+00\(String(c, radix: 16, uppercase: true)) '\(Character(Unicode.Scalar(c)))'" }
        return "U+\(String(format4(c)))"
    }

    private func format4(_ c: UInt8) -> String {
        let h = String(c, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// Scans a number as Go's lexer does (sign, 0x/0o/0b prefixes, underscores, fraction,
    /// exponent). Validity of the value is checked by the parser.
    private mutating func lexNumber() -> Bool {
        let start = pos
        if pos < src.count && (src[pos] == UInt8(ascii: "+") || src[pos] == UInt8(ascii: "-")) { pos += 1 }
        var digits = "0123456789_"
        if has("0x", at: pos) || has("0X", at: pos) { pos += 2; digits = "0123456789abcdefABCDEF_" }
        else if has("0o", at: pos) || has("0O", at: pos) { pos += 2; digits = "01234567_" }
        else if has("0b", at: pos) || has("0B", at: pos) { pos += 2; digits = "01_" }
        let d = Set(digits.utf8)
        while pos < src.count && d.contains(src[pos]) { pos += 1 }
        if pos < src.count && src[pos] == UInt8(ascii: ".") { pos += 1; while pos < src.count && d.contains(src[pos]) { pos += 1 } }
        let isHex = digits.count > 12
        if pos < src.count && ((!isHex && (src[pos] == UInt8(ascii: "e") || src[pos] == UInt8(ascii: "E"))) || (isHex && (src[pos] == UInt8(ascii: "p") || src[pos] == UInt8(ascii: "P")))) {
            pos += 1
            if pos < src.count && (src[pos] == UInt8(ascii: "+") || src[pos] == UInt8(ascii: "-")) { pos += 1 }
            while pos < src.count && src[pos] >= 0x30 && src[pos] <= 0x39 || (pos < src.count && src[pos] == UInt8(ascii: "_")) { pos += 1 }
        }
        if pos < src.count && src[pos] == UInt8(ascii: "i") { pos += 1 }
        if pos < src.count && isAlnum(src[pos]) {
            pos += 1
            fail("bad number syntax: \"\(str(start, pos))\"")
            return false
        }
        emit(.number, start, pos, line: line)
        return true
    }
}
