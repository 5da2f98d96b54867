import SwiftASN1

/// Runs a DER decoding step, turning swift-asn1 errors into ``StepCryptoError/Code/malformedInput``.
func decodingDER<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StepCryptoError {
        throw error
    } catch {
        throw StepCryptoError.malformed("invalid DER in \(what): \(error)")
    }
}

/// Serializes with DER. Serializing values built in memory does not fail in practice.
func serializingDER(_ body: (inout DER.Serializer) throws -> Void) -> [UInt8] {
    var serializer = DER.Serializer()
    do {
        try body(&serializer)
    } catch {
        preconditionFailure("DER serialization of an in-memory value failed: \(error)")
    }
    return serializer.serializedBytes
}

/// An `AlgorithmIdentifier`: an OID and optional parameters, kept as a raw node.
struct AlgorithmIdentifierNode {
    var algorithm: ASN1ObjectIdentifier
    var parameters: ASN1Node?

    init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Node?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    init(derEncoded node: ASN1Node) throws {
        (self.algorithm, self.parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next()
            return (algorithm, parameters)
        }
    }

    /// Whether the parameters are absent or an ASN.1 NULL.
    var hasNoParameters: Bool {
        guard let parameters else { return true }
        return parameters.identifier == .null
    }
}

extension ASN1NodeCollection.Iterator {
    /// Consumes and ignores the remaining nodes (optional trailing fields we do not use).
    mutating func skipRemaining() {
        while self.next() != nil {}
    }
}

/// Strips leading zero bytes from an unsigned big-endian integer, keeping at least one byte.
func trimmedUnsigned<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
    let trimmed = Array(bytes.drop(while: { $0 == 0 }))
    return trimmed.isEmpty ? [0] : trimmed
}

/// Left-pads (or strips leading zeros from) an unsigned big-endian integer to exactly `length` bytes.
/// Returns `nil` if the value does not fit.
func fixedWidthUnsigned<Bytes: Collection>(_ bytes: Bytes, length: Int) -> [UInt8]? where Bytes.Element == UInt8 {
    let trimmed = Array(bytes.drop(while: { $0 == 0 }))
    guard trimmed.count <= length else { return nil }
    return [UInt8](repeating: 0, count: length - trimmed.count) + trimmed
}
