import Foundation

/// Conversions of single JSON values to model values, mirroring what Go's
/// encoding/json accepts for the corresponding Go field types. `null` always
/// means "not set", as it does in Go.
extension DecodeContext {
    func string(_ node: JSONNode, _ path: JSONPath) -> String? {
        switch node.value {
        case .null: return nil
        case .string(let text): return text
        default:
            typeMismatch(node, path, expected: "a string")
            return nil
        }
    }

    func bool(_ node: JSONNode, _ path: JSONPath) -> Bool? {
        switch node.value {
        case .null: return nil
        case .bool(let value): return value
        default:
            typeMismatch(node, path, expected: "true or false")
            return nil
        }
    }

    /// An integer field: Go rejects fractions and exponents here.
    func int(_ node: JSONNode, _ path: JSONPath) -> Int? {
        switch node.value {
        case .null: return nil
        case .number(let text):
            guard let value = Int(text) else {
                error(.typeMismatch, path, "expected an integer, found \(text)", at: node.start)
                return nil
            }
            return value
        default:
            typeMismatch(node, path, expected: "an integer")
            return nil
        }
    }

    func double(_ node: JSONNode, _ path: JSONPath) -> Double? {
        switch node.value {
        case .null: return nil
        case .number(let text):
            guard let value = Double(text), value.isFinite else {
                error(.invalidValue, path, "number \(text) is out of range", at: node.start)
                return nil
            }
            return value
        default:
            typeMismatch(node, path, expected: "a number")
            return nil
        }
    }

    /// A duration: step's `provisioner.Duration` accepts only Go duration strings.
    func duration(_ node: JSONNode, _ path: JSONPath) -> GoDuration? {
        guard let text = string(node, path) else { return nil }
        do {
            return try GoDuration(parsing: text)
        } catch {
            self.error(.invalidDuration, path, error.description, at: node.start)
            return nil
        }
    }

    /// A `[]string`; `null` elements become empty strings, as in Go.
    func strings(_ node: JSONNode, _ path: JSONPath) -> [String]? {
        switch node.value {
        case .null: return nil
        case .array(let elements):
            var result: [String] = []
            for (index, element) in elements.enumerated() {
                if element.isNull {
                    result.append("")
                } else if let text = string(element, path.appending(index: index)) {
                    result.append(text)
                }
            }
            return result
        default:
            typeMismatch(node, path, expected: "an array of strings")
            return nil
        }
    }

    /// A value step accepts as either one string or an array of strings.
    func stringOrStrings(_ node: JSONNode, _ path: JSONPath) -> [String]? {
        switch node.value {
        case .null: return nil
        case .string(let text): return [text]
        case .array: return strings(node, path)
        default:
            typeMismatch(node, path, expected: "a string or an array of strings")
            return nil
        }
    }

    /// A Go `[]byte` field: standard base64 with padding; line breaks are ignored.
    func base64(_ node: JSONNode, _ path: JSONPath) -> Data? {
        guard let text = string(node, path) else { return nil }
        // Go's base64 decoder skips CR and LF; filter scalars so "\r\n" goes too.
        var compact = String.UnicodeScalarView()
        compact.append(contentsOf: text.unicodeScalars.filter { $0 != "\n" && $0 != "\r" })
        guard let data = Data(base64Encoded: String(compact)) else {
            error(.invalidValue, path, "expected standard base64 (of PEM text), found invalid base64", at: node.start)
            return nil
        }
        return data
    }

    /// The elements of an array with their paths; `null` is "not set".
    func array(_ node: JSONNode, _ path: JSONPath) -> [(node: JSONNode, path: JSONPath)]? {
        switch node.value {
        case .null: return nil
        case .array(let elements):
            return elements.enumerated().map { ($0.element, path.appending(index: $0.offset)) }
        default:
            typeMismatch(node, path, expected: "an array")
            return nil
        }
    }

    /// The raw text of a value that must be a JSON object (handed on verbatim).
    func rawObject(_ node: JSONNode, _ path: JSONPath) -> String? {
        switch node.value {
        case .null: return nil
        case .object: return rawText(node)
        default:
            typeMismatch(node, path, expected: "an object")
            return nil
        }
    }

    /// The raw text of any JSON value other than `null`.
    func rawValue(_ node: JSONNode) -> String? {
        node.isNull ? nil : rawText(node)
    }
}
