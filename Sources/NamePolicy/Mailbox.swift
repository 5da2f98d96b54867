/// An RFC 2821 mailbox split into local part and domain, parsed as Go's crypto/x509 (and
/// step-ca) parse rfc822Name values: quoted or dot-atom local parts, any domain that splits
/// into labels.
struct Mailbox: Equatable {
    var local: String
    var domain: String

    init?(_ text: String) {
        var input = Array(text.utf8)[...]
        guard !input.isEmpty else { return nil }
        var local: [UInt8] = []
        if input.first == UInt8(ascii: "\"") {
            input = input.dropFirst()
            quoted: while true {
                guard let c = input.first else { return nil }
                input = input.dropFirst()
                switch c {
                case UInt8(ascii: "\""):
                    break quoted
                case UInt8(ascii: "\\"):
                    guard let next = input.first else { return nil }
                    guard next == 11 || next == 12 || (1...9).contains(next) || (14...127).contains(next) else { return nil }
                    local.append(next)
                    input = input.dropFirst()
                case 11, 12, 32, 33, 127, 1...8, 14...31, 35...91, 93...126:
                    local.append(c)
                default:
                    return nil
                }
            }
        } else {
            while let c = input.first {
                if c == UInt8(ascii: "\\") {
                    input = input.dropFirst()
                    guard let escaped = input.first else { return nil }
                    local.append(escaped)
                    input = input.dropFirst()
                } else if Mailbox.isAtomText(c) {
                    local.append(c)
                    input = input.dropFirst()
                } else {
                    break
                }
            }
            guard let first = local.first, let last = local.last else { return nil }
            let dot = UInt8(ascii: ".")
            if first == dot || last == dot { return nil }
            if zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot }) { return nil }
        }
        guard input.first == UInt8(ascii: "@") else { return nil }
        let domain = String(decoding: input.dropFirst(), as: UTF8.self)
        // An empty domain splits into no labels; step-ca then fails inside matching, so refuse it here.
        guard !domain.isEmpty, DomainLabels.reversed(domain) != nil else { return nil }
        self.local = String(decoding: local, as: UTF8.self)
        self.domain = domain
    }

    private static func isAtomText(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(c)
        }
    }
}
