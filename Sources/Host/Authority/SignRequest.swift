import Foundation
import SwiftASN1
import X509
import StepCrypto
import StepConfig

/// `POST /sign`: `{"csr": PEM, "ott": JWT, "notBefore": TD?, "notAfter": TD?, "templateData": {...}?}`.
/// Unknown members are ignored; a body that is not such an object, or whose CSR does not
/// parse, is a 400 "error decoding json", as Go's decoder reports it.
struct SignRequest: Sendable {
    var csr: CertificateSigningRequest?
    var csrDER: [UInt8]
    var ott: String
    var notBefore: TimeOrDuration?
    var notAfter: TimeOrDuration?
    /// Set when the CSR is well-formed but carries an RSA key under 2048 bits (refused with 403).
    var weakRSABits: Int?
    /// `templateData` exactly as sent (JSON), for custom templates' `.Insecure.User`.
    var templateDataJSON: Data?

    private struct Body: Decodable {
        var csr: String?
        var ott: String?
        var notBefore: String?
        var notAfter: String?
    }

    private static let bodyDecoder = GoJSONKeys.decoder(fields: ["csr", "ott", "notBefore", "notAfter"])

    /// Decodes the body strictly by type, ignoring unknown members and the case of names, as Go's
    /// decoder does.
    static func decode(_ body: [UInt8]) throws -> SignRequest {
        guard let decoded = try? bodyDecoder.decode(Body.self, from: Data(body)) else {
            throw APIError.badRequest("error decoding json")
        }
        var request = SignRequest(csr: nil, csrDER: [], ott: decoded.ott ?? "")
        if let pem = decoded.csr, !pem.isEmpty {
            switch try CSRDecoder.decode(pem: pem) {
            case .request(let csr, let der): (request.csr, request.csrDER) = (csr, der)
            case .weakRSA(let bits): request.weakRSABits = bits
            }
        }
        request.notBefore = try TimeOrDuration.parse(decoded.notBefore)
        request.notAfter = try TimeOrDuration.parse(decoded.notAfter)
        request.templateDataJSON = templateData(in: body)
        return request
    }

    /// The `templateData` member re-encoded as JSON, when there is one (looked for only when the
    /// body mentions it, to keep the common request on the fast decoder).
    private static func templateData(in body: [UInt8]) -> Data? {
        guard mentionsTemplateData(body), let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let value = object.first(where: { $0.key.lowercased() == "templatedata" })?.value, !(value is NSNull)
        else { return nil }
        return try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
    }

    /// Whether `templatedata` appears anywhere in the body, in any ASCII case.
    private static func mentionsTemplateData(_ body: [UInt8]) -> Bool {
        let needle = Array("templatedata".utf8)
        guard body.count >= needle.count else { return false }
        search: for start in 0...(body.count - needle.count) where body[start] | 0x20 == needle[0] {
            for offset in 1..<needle.count where body[start + offset] | 0x20 != needle[offset] { continue search }
            return true
        }
        return false
    }

    /// Validates in step-ca's order: missing csr, bad CSR signature, missing ott.
    func validated() throws -> (CertificateSigningRequest, [UInt8]) {
        guard let csr else { throw APIError.badRequest("missing csr") }

        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw APIError.badRequest("invalid csr")
        }
        guard !ott.isEmpty else { throw APIError.badRequest("missing ott") }
        return (csr, csrDER)
    }
}

/// Reads a PEM certificate request (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`).
enum CSRDecoder {
    enum Outcome {
        case request(CertificateSigningRequest, [UInt8])
        /// A well-formed request whose RSA key is under 2048 bits (the X.509 parser refuses those).
        case weakRSA(bits: Int)
    }

    /// Parses the PEM once; anything that is neither a request nor a weak-RSA request is a 400
    /// "error decoding json", as Go's decoder reports it.
    static func decode(pem: String) throws -> Outcome {
        guard let der = quickDER(pem) ?? fullDER(pem) else { throw APIError.badRequest("error decoding json") }
        if let csr = try? CertificateSigningRequest(derEncoded: der) { return .request(csr, der) }
        if let bits = weakRSAKeyBits(der: der) { return .weakRSA(bits: bits) }
        throw APIError.badRequest("error decoding json")
    }

    /// The common case, a single `CERTIFICATE REQUEST` block without headers, without the
    /// general PEM parser.
    private static func quickDER(_ pem: String) -> [UInt8]? {
        var text = pem
        return text.withUTF8 { bytes -> [UInt8]? in
            guard let start = find(beginMarker, in: bytes, from: 0),
                  let stop = find(endMarker, in: bytes, from: start + beginMarker.count) else { return nil }
            // A header line (`Proc-Type: ...`) or any non-base64 byte sends the PEM to the full parser.
            return Base64Bytes.decodeStandard(UnsafeBufferPointer(rebasing: bytes[(start + beginMarker.count)..<stop]), ignoringWhitespace: true)
        }
    }

    private static let beginMarker = Array("-----BEGIN CERTIFICATE REQUEST-----".utf8)
    private static let endMarker = Array("-----END CERTIFICATE REQUEST-----".utf8)

    /// The offset of the first occurrence of `needle` in `haystack` at or after `from`.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == first, needle.indices.allSatisfy({ haystack[index + $0] == needle[$0] }) { return index }
            index += 1
        }
        return nil
    }

    private static func fullDER(_ pem: String) -> [UInt8]? {
        guard let blocks = try? PEMBlock.parseAll(pem),
              let block = blocks.first(where: { $0.type == "CERTIFICATE REQUEST" || $0.type == "NEW CERTIFICATE REQUEST" })
        else { return nil }
        return Array(block.bytes)
    }

    /// The modulus size of an RSA subject key under 2048 bits in CSR DER, else nil.
    static func weakRSAKeyBits(der: [UInt8]) -> Int? {
        guard let root = try? DER.parse(der),
              case .constructed(let outer) = root.content, let info = outer.first(where: { _ in true }),
              case .constructed(let infoNodes) = info.content
        else { return nil }
        let parts = Array(infoNodes)
        guard parts.count >= 3, case .constructed(let spki) = parts[2].content else { return nil }
        let spkiParts = Array(spki)
        guard spkiParts.count == 2, case .constructed(let algorithm) = spkiParts[0].content,
              let oidNode = algorithm.first(where: { _ in true }),
              let oid = try? ASN1ObjectIdentifier(derEncoded: oidNode), oid == [1, 2, 840, 113549, 1, 1, 1],
              let bits = try? ASN1BitString(derEncoded: spkiParts[1]),
              let keyNode = try? DER.parse(Array(bits.bytes)), case .constructed(let keyParts) = keyNode.content,
              let modulusNode = keyParts.first(where: { _ in true }),
              case .primitive(let modulus) = modulusNode.content
        else { return nil }
        let bytes = modulus.drop { $0 == 0 }
        guard let first = bytes.first else { return nil }
        let size = (bytes.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        return size < 2048 ? size : nil
    }
}

/// step-ca's "time or duration" request value: RFC 3339, or a Go duration relative to a base.
enum TimeOrDuration: Sendable, Equatable {
    case time(Date)
    case duration(TimeInterval)

    /// nil for an absent or empty value; 400 for anything else that is neither form.
    static func parse(_ text: String?) throws -> TimeOrDuration? {
        guard let text, !text.isEmpty else { return nil }
        if let date = RFC3339.parse(text) { return .time(date) }
        if let duration = try? GoDuration(parsing: text) { return .duration(duration.timeInterval) }
        throw APIError.badRequest("error decoding json")
    }

    func resolve(relativeTo base: Date) -> Date {
        switch self {
        case .time(let date): return date
        case .duration(let seconds): return base.addingTimeInterval(seconds)
        }
    }
}

/// RFC 3339 timestamps with optional fractional seconds.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
