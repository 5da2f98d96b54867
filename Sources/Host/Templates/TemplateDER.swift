import SwiftASN1
import X509

/// DER for the extensions a template can ask for that swift-certificates has no type for, or
/// whose Go encoding differs (duplicates kept, Go's element order).
enum TemplateDER {
    private static func context(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific)
    }

    private static func encode(_ body: (inout DER.Serializer) throws -> Void) rethrows -> ArraySlice<UInt8> {
        var serializer = DER.Serializer()
        try body(&serializer)
        return serializer.serializedBytes[...]
    }

    /// ExtKeyUsageSyntax / a SEQUENCE OF OBJECT IDENTIFIER.
    static func sequenceOfOIDs(_ oids: [ASN1ObjectIdentifier]) throws -> ArraySlice<UInt8> {
        try encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { list in
                for oid in oids { try list.serialize(oid) }
            }
        }
    }

    /// AuthorityInfoAccessSyntax: OCSP locations first, then CA issuers, each a URI.
    static func authorityInformationAccess(ocsp: [String], issuers: [String]) throws -> ArraySlice<UInt8> {
        let ocspMethod: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1]
        let issuersMethod: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 2]
        return try encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { list in
                for (method, uri) in ocsp.map({ (ocspMethod, $0) }) + issuers.map({ (issuersMethod, $0) }) {
                    try list.appendConstructedNode(identifier: .sequence) { description in
                        try description.serialize(method)
                        description.appendPrimitiveNode(identifier: context(6)) { $0.append(contentsOf: Array(uri.utf8)) }
                    }
                }
            }
        }
    }

    /// CRLDistributionPoints: one DistributionPoint per URL, each with a full name.
    static func crlDistributionPoints(_ urls: [String]) -> ArraySlice<UInt8> {
        encode { coder in
            coder.appendConstructedNode(identifier: .sequence) { points in
                for url in urls {
                    points.appendConstructedNode(identifier: .sequence) { point in
                        point.appendConstructedNode(identifier: context(0)) { name in
                            name.appendConstructedNode(identifier: context(0)) { names in
                                names.appendPrimitiveNode(identifier: context(6)) { $0.append(contentsOf: Array(url.utf8)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// CertificatePolicies with bare policy identifiers.
    static func certificatePolicies(_ oids: [ASN1ObjectIdentifier]) throws -> ArraySlice<UInt8> {
        try encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { list in
                for oid in oids {
                    try list.appendConstructedNode(identifier: .sequence) { try $0.serialize(oid) }
                }
            }
        }
    }

    /// GeneralNames in Go's order (DNS, email, IP, URI), then the other names; nil when empty.
    static func subjectAlternativeNames(_ template: CertificateTemplate) throws -> ArraySlice<UInt8>? {
        guard !(template.dnsNames.isEmpty && template.emailAddresses.isEmpty && template.ipAddresses.isEmpty
                && template.uris.isEmpty && template.otherNames.isEmpty) else { return nil }
        return try encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { names in
                for dns in template.dnsNames { names.appendPrimitiveNode(identifier: context(2)) { $0.append(contentsOf: Array(dns.utf8)) } }
                for email in template.emailAddresses { names.appendPrimitiveNode(identifier: context(1)) { $0.append(contentsOf: Array(email.utf8)) } }
                for ip in template.ipAddresses { names.appendPrimitiveNode(identifier: context(7)) { $0.append(contentsOf: ip) } }
                for uri in template.uris { names.appendPrimitiveNode(identifier: context(6)) { $0.append(contentsOf: Array(uri.utf8)) } }
                for other in template.otherNames { try otherName(other, into: &names) }
            }
        }
    }

    private static func otherName(_ name: CertificateTemplate.OtherName, into names: inout DER.Serializer) throws {
        switch name {
        case .registeredID(let oid):
            try oid.serialize(into: &names, withIdentifier: context(8))
        case .userPrincipalName(let upn):
            try names.appendConstructedNode(identifier: context(0)) { other in
                try other.serialize(ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"))
                try other.appendConstructedNode(identifier: context(0)) { try $0.serialize(ASN1UTF8String(upn)) }
            }
        case .permanentIdentifier(let identifier, let assigner):
            try names.appendConstructedNode(identifier: context(0)) { other in
                try other.serialize(ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.3"))
                try other.appendConstructedNode(identifier: context(0)) { wrapped in
                    try wrapped.appendConstructedNode(identifier: .sequence) { value in
                        if !identifier.isEmpty { try value.serialize(ASN1UTF8String(identifier)) }
                        if let assigner { try value.serialize(assigner) }
                    }
                }
            }
        case .hardwareModuleName(let type, let serial):
            try names.appendConstructedNode(identifier: context(0)) { other in
                try other.serialize(ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.4"))
                try other.appendConstructedNode(identifier: context(0)) { wrapped in
                    try wrapped.appendConstructedNode(identifier: .sequence) { value in
                        try value.serialize(type)
                        try value.serialize(ASN1OctetString(contentBytes: serial[...]))
                    }
                }
            }
        }
    }

    /// NameConstraints: permitted [0] and excluded [1] subtrees of DNS, IP, email and URI names
    /// (Go's order); nil when there is nothing to constrain.
    static func nameConstraints(_ value: CertificateTemplate.NameConstraintsValue) throws -> ArraySlice<UInt8>? {
        typealias Subtrees = (dns: [String], ip: [(address: [UInt8], mask: [UInt8])], email: [String], uri: [String])
        let permitted: Subtrees = (value.permittedDNSDomains, value.permittedIPRanges, value.permittedEmailAddresses, value.permittedURIDomains)
        let excluded: Subtrees = (value.excludedDNSDomains, value.excludedIPRanges, value.excludedEmailAddresses, value.excludedURIDomains)
        func isEmpty(_ s: Subtrees) -> Bool { s.dns.isEmpty && s.ip.isEmpty && s.email.isEmpty && s.uri.isEmpty }
        guard !isEmpty(permitted) || !isEmpty(excluded) else { return nil }
        func write(_ subtrees: Subtrees, tag: UInt, into coder: inout DER.Serializer) throws {
            guard !isEmpty(subtrees) else { return }
            coder.appendConstructedNode(identifier: context(tag)) { list in
                func subtree(_ tag: UInt, _ bytes: [UInt8]) {
                    list.appendConstructedNode(identifier: .sequence) { tree in
                        tree.appendPrimitiveNode(identifier: context(tag)) { $0.append(contentsOf: bytes) }
                    }
                }
                for dns in subtrees.dns { subtree(2, Array(dns.utf8)) }
                for range in subtrees.ip { subtree(7, range.address + range.mask) }
                for email in subtrees.email { subtree(1, Array(email.utf8)) }
                for uri in subtrees.uri { subtree(6, Array(uri.utf8)) }
            }
        }
        return try encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { constraints in
                try write(permitted, tag: 0, into: &constraints)
                try write(excluded, tag: 1, into: &constraints)
            }
        }
    }
}
