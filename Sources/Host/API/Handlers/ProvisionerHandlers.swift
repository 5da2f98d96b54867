import Hummingbird

/// `GET /provisioners` and `GET /provisioners/{kid}/encrypted-key`.
enum ProvisionerHandlers {
    static let list: APIHandler = { request in
        let query = request.request.uri.queryParameters
        let cursor = query["cursor"].map(String.init) ?? ""
        var limit = 20
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text) else { throw APIError.badRequest("limit '\(text)' is not an integer") }
            limit = value <= 0 ? 20 : min(value, 100)
        }
        let page = request.authority.provisioners.page(cursor: cursor, limit: limit)
        let body = OrderedJSON.object([
            ("provisioners", .array(page.entries.map { .raw($0.listingJSON) })),
            ("nextCursor", .string(page.nextCursor)),
        ])
        return JSONBody.response(status: .ok, json: body)
    }

    static let encryptedKey: APIHandler = { request in
        let kid = request.parameters["kid"] ?? ""
        guard let key = request.authority.provisioners.encryptedKey(kid: kid) else {
            throw APIError.notFound("encrypted key with kid \(kid) was not found")
        }
        return JSONBody.response(status: .ok, json: .object([("key", .string(key))]))
    }
}
