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
    var templateData: String?
    /// Set when the CSR is well-formed but carries an RSA key under 2048 bits (refused with 403).
    var weakRSABits: Int?

    static func decode(_ body: [UInt8]) throws -> SignRequest {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw APIError.badRequest("error decoding json")
        }
        func string(_ key: String) throws -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw APIError.badRequest("error decoding json") }
            return text
        }
        var request = SignRequest(csr: nil, csrDER: [], ott: try string("ott") ?? "")
        if let pem = try string("csr"), !pem.isEmpty {
            if let bits = CSRDecoder.weakRSAKeyBits(pem: pem) {
                request.weakRSABits = bits
            } else {
                (request.csr, request.csrDER) = try CSRDecoder.decode(pem: pem)
            }
        }
        request.notBefore = try TimeOrDuration.parse(try string("notBefore"))
        request.notAfter = try TimeOrDuration.parse(try string("notAfter"))
        if let data = object["templateData"], !(data is NSNull),
           let json = try? JSONSerialization.data(withJSONObject: data, options: [.fragmentsAllowed]) {
            request.templateData = String(decoding: json, as: UTF8.self)
        }
        return request
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
    /// The modulus size of an RSA key under 2048 bits in a well-formed CSR, else nil. Such keys
    /// are refused by the X.509 parser, so they are recognised here to answer step-ca's 403.
    static func weakRSAKeyBits(pem: String) -> Int? {
        guard let blocks = try? PEMBlock.parseAll(pem),
              let block = blocks.first(where: { $0.type == "CERTIFICATE REQUEST" || $0.type == "NEW CERTIFICATE REQUEST" }),
              (try? CertificateSigningRequest(derEncoded: Array(block.bytes))) == nil,
              let root = try? DER.parse(Array(block.bytes)),
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

    static func decode(pem: String) throws -> (CertificateSigningRequest, [UInt8]) {
        guard let blocks = try? PEMBlock.parseAll(pem),
              let block = blocks.first(where: { $0.type == "CERTIFICATE REQUEST" || $0.type == "NEW CERTIFICATE REQUEST" }),
              let csr = try? CertificateSigningRequest(derEncoded: Array(block.bytes))
        else { throw APIError.badRequest("error decoding json") }
        return (csr, Array(block.bytes))
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
