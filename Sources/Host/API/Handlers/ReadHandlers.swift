import Hummingbird

/// The read-only routes: health, version, roots, federation, intermediates.
enum ReadHandlers {
    static let health: APIHandler = { _ in
        JSONBody.response(status: .ok, json: .object([("status", .string("ok"))]))
    }

    static let version: APIHandler = { _ in
        JSONBody.response(status: .ok, json: .object([("version", .string(Version.current))]))
    }

    /// `GET /root/{sha}`: the root or federated root with that SHA-256 (hex; case and dashes ignored).
    static let root: APIHandler = { request in
        let sum = (request.parameters["sha"] ?? "").lowercased().replacingOccurrences(of: "-", with: "")
        guard let pem = request.authority.caByFingerprint[sum] else {
            throw APIError.notFound("root certificate with fingerprint \"\(sum)\" was not found")
        }
        return JSONBody.response(status: .ok, json: .object([("ca", .string(pem))]))
    }

    /// `GET /roots`: 201 (as step-ca answers) with the configured roots.
    static let roots: APIHandler = { request in
        certificates(request.authority.rootsPEM)
    }

    static let rootsPEM: APIHandler = { request in
        JSONBody.pem(request.authority.rootsPEM.joined())
    }

    /// `GET /federation`: roots and federated roots.
    static let federation: APIHandler = { request in
        certificates(request.authority.federationPEM)
    }

    static let intermediates: APIHandler = { request in
        guard !request.authority.intermediatesPEM.isEmpty else { throw APIError.unsupportedFeature("no intermediates configured") }
        return certificates(request.authority.intermediatesPEM)
    }

    static let intermediatesPEM: APIHandler = { request in
        guard !request.authority.intermediatesPEM.isEmpty else { throw APIError.unsupportedFeature("no intermediates configured") }
        return JSONBody.pem(request.authority.intermediatesPEM.joined())
    }

    private static func certificates(_ pems: [String]) -> Response {
        JSONBody.response(status: .created, json: .object([("crts", .array(pems.map { .string($0) }))]))
    }
}
