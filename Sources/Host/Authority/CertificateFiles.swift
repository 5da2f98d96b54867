import Foundation
import Crypto
import SwiftASN1
import X509
import StepCrypto

/// Reads PEM certificate files (single certificates or bundles).
enum CertificateFiles {
    /// Every `CERTIFICATE` block of `path`, in order. Errors name the file.
    static func load(_ path: String, purpose: String) throws -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(.certificate, "cannot read the \(purpose) certificate file \(path)")
        }
        let blocks: [PEMBlock]
        do {
            blocks = try PEMBlock.parseAll(data)
        } catch {
            throw StartupError(.certificate, "\(path): not a PEM file: \(error)")
        }
        let certificates = try blocks.filter { $0.type == "CERTIFICATE" }.enumerated().map { index, block in
            do {
                return try Certificate(derEncoded: Array(block.bytes))
            } catch {
                throw StartupError(.certificate, "\(path): certificate \(index + 1) is malformed: \(error)")
            }
        }
        guard !certificates.isEmpty else {
            throw StartupError(.certificate, "\(path): no CERTIFICATE block found")
        }
        return certificates
    }

    /// The DER bytes of a certificate.
    static func der(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// The PEM text of a certificate, with a trailing newline.
    static func pem(_ certificate: Certificate) -> String {
        PEMBlock(type: "CERTIFICATE", bytes: Data(der(certificate))).encoded
    }

    /// The lower-case hex SHA-256 of a certificate's DER: step's "fingerprint".
    static func fingerprint(_ certificate: Certificate) -> String {
        SHA256.hash(data: der(certificate)).map { String(format: "%02x", $0) }.joined()
    }
}
