import SwiftASN1

/// SEC 1 `ECPrivateKey` (RFC 5915), the body of an `EC PRIVATE KEY` PEM block,
/// and the `ECParameters` body of an `EC PARAMETERS` block.
enum SEC1 {
    /// Parses an `ECPrivateKey`.
    ///
    /// - Parameter outerCurve: the curve named outside the structure (PKCS #8 algorithm
    ///   parameters or an `EC PARAMETERS` block), used when the structure names none.
    static func parsePrivateKey(_ der: [UInt8], outerCurve: ECCurve?) throws -> PrivateKeyMaterial {
        let (scalar, innerCurveOID, publicPoint) = try decodingDER("EC private key") {
            try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes -> (ASN1OctetString, ASN1ObjectIdentifier?, ASN1BitString?) in
                let version = try Int(derEncoded: &nodes)
                guard version == 1 else {
                    throw StepCryptoError.malformed("EC private key has version \(version), expected 1")
                }
                let scalar = try ASN1OctetString(derEncoded: &nodes)
                let curve = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                    try Self.namedCurveOID(node)
                }
                let point = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { node in
                    try ASN1BitString(derEncoded: node)
                }
                return (scalar, curve, point)
            }
        }

        var curve = outerCurve
        if let innerCurveOID {
            guard let inner = ECCurve(oid: innerCurveOID) else {
                throw StepCryptoError.unsupported("elliptic curve \(OID.name(innerCurveOID))")
            }
            if let outerCurve, outerCurve != inner {
                throw StepCryptoError.inconsistent("EC private key names curve \(inner.jwkName) but its container names \(outerCurve.jwkName)")
            }
            curve = inner
        }
        if curve == nil {
            curve = ECCurve.allCases.first { $0.byteCount == scalar.bytes.count }
        }
        guard let curve else {
            throw StepCryptoError.malformed("EC private key does not name its curve")
        }

        let key = try curve.privateKey(scalar: scalar.bytes)
        if let publicPoint {
            let stored = try curve.publicKey(sec1Point: Array(publicPoint.bytes))
            guard stored == key.publicKey else {
                throw StepCryptoError.inconsistent("the public key stored in the EC private key does not match the private key")
            }
        }
        return key
    }

    /// Parses `ECParameters`; only the `namedCurve` choice is supported.
    static func parseParameters(_ der: [UInt8]) throws -> ECCurve {
        let oid = try decodingDER("EC parameters") { try Self.namedCurveOID(try DER.parse(der)) }
        guard let curve = ECCurve(oid: oid) else {
            throw StepCryptoError.unsupported("elliptic curve \(OID.name(oid))")
        }
        return curve
    }

    /// Serializes an `ECPrivateKey` the way Go's `x509.MarshalECPrivateKey` does:
    /// version 1, the padded scalar, the curve OID (unless omitted for PKCS #8) and the public point.
    static func serialize(scalar: [UInt8], curve: ECCurve, publicPoint: [UInt8], includeCurve: Bool) -> [UInt8] {
        serializingDER { serializer in
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(1)
                try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(scalar)))
                if includeCurve {
                    try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { inner in
                        try inner.serialize(curve.oid)
                    }
                }
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { inner in
                    try inner.serialize(ASN1BitString(bytes: ArraySlice(publicPoint)))
                }
            }
        }
    }

    private static func namedCurveOID(_ node: ASN1Node) throws -> ASN1ObjectIdentifier {
        switch node.identifier {
        case .objectIdentifier:
            return try ASN1ObjectIdentifier(derEncoded: node)
        case .sequence:
            throw StepCryptoError.unsupported("explicit EC curve parameters (only named curves are supported)")
        case .null:
            throw StepCryptoError.unsupported("implicitly-specified EC curve parameters")
        default:
            throw StepCryptoError.malformed("EC parameters are neither a named curve nor explicit parameters")
        }
    }
}

extension PrivateKeyMaterial {
    /// The SEC 1 `ECPrivateKey` DER of an ECDSA key, or `nil` for other key kinds.
    func sec1DER(includeCurve: Bool) -> [UInt8]? {
        guard let (curve, scalar) = self.ecScalar, let (_, point) = self.publicKey.ecPoint else { return nil }
        return SEC1.serialize(scalar: scalar, curve: curve, publicPoint: point, includeCurve: includeCurve)
    }
}
