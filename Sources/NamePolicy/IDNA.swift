import Foundation

/// Domain names to their ASCII form, as step-ca does with Go's `x/net/idna`.
///
/// Two profiles: ``lookup`` (DNS names and rule values: maps to lower case and NFKC, allows
/// only letters, digits and hyphens, checks hyphen placement and `xn--` labels) and
/// ``punycode`` (email domains: only encodes and checks `xn--` labels). The Unicode mapping is
/// Foundation's case folding and NFKC, not the full UTS #46 table: non-ASCII code points are
/// accepted when they are letters, marks or numbers.
enum IDNA {
    enum Profile {
        case lookup
        case punycode
    }

    struct Failure: Error, Equatable {
        let reason: String
    }

    /// The ASCII form of `domain`; empty labels are kept (callers reject them separately).
    static func toASCII(_ domain: String, profile: Profile) -> Result<String, Failure> {
        var text = domain
        if profile == .lookup {
            if !text.unicodeScalars.allSatisfy(\.isASCII) {
                text = text.precomposedStringWithCompatibilityMapping
                for stop in ["\u{3002}", "\u{FF0E}", "\u{FF61}"] { text = text.replacingOccurrences(of: stop, with: ".") }
            }
            text = text.lowercased()
        }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch convert(label, profile: profile) {
            case .success(let ascii): labels.append(ascii)
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(labels.joined(separator: "."))
    }

    private static func convert(_ label: String, profile: Profile) -> Result<String, Failure> {
        if label.isEmpty { return .success(label) }
        var unicode = Array(label.unicodeScalars)
        if label.lowercased().hasPrefix("xn--") {
            guard let decoded = Punycode.decode(String(label.dropFirst(4))) else {
                return .failure(Failure(reason: "label \(GoQuote.quote(label)) is not valid Punycode"))
            }
            unicode = decoded
            if profile == .lookup {
                let text = String(String.UnicodeScalarView(decoded))
                if text != text.lowercased() || text != text.precomposedStringWithCompatibilityMapping {
                    return .failure(Failure(reason: "label \(GoQuote.quote(label)) decodes to an unmapped form"))
                }
            }
        }
        if profile == .lookup {
            if let reason = validate(unicode) {
                return .failure(Failure(reason: "label \(GoQuote.quote(label)) \(reason)"))
            }
        }
        if unicode.allSatisfy(\.isASCII) { return .success(String(String.UnicodeScalarView(unicode))) }
        guard let encoded = Punycode.encode(unicode) else {
            return .failure(Failure(reason: "label \(GoQuote.quote(label)) cannot be encoded"))
        }
        return .success("xn--" + encoded)
    }

    /// STD3 characters and hyphen placement (UTS #46 V2, V3); `nil` when valid.
    private static func validate(_ scalars: [Unicode.Scalar]) -> String? {
        for scalar in scalars {
            if scalar.isASCII {
                let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
                if !allowed { return "contains the disallowed character \(GoQuote.quote(String(scalar)))" }
                continue
            }
            switch scalar.properties.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                continue
            default:
                return "contains the disallowed character \(GoQuote.quote(String(scalar)))"
            }
        }
        if scalars.count > 4, scalars[2] == "-", scalars[3] == "-" { return "has hyphens in the third and fourth positions" }
        if scalars.first == "-" || scalars.last == "-" { return "starts or ends with a hyphen" }
        return nil
    }
}
