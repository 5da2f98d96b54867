import Hummingbird

/// A request as handlers see it: the HTTP request, its context, path parameters and the
/// authority in force for this request (reload swaps authorities between requests).
struct APIRequest: Sendable {
    let request: Request
    let context: CARequestContext
    let parameters: [String: String]
    let authority: Authority
    /// Fields the handler adds to this request's access-log line.
    let log: RequestLogFields
}

typealias APIHandler = @Sendable (APIRequest) async throws -> Response

/// The one route table of the CA's HTTP API (the HTTPS listener and the plain-HTTP one). Paths
/// match exactly (no trailing-slash tolerance); `{name}` segments capture one path segment.
/// Every route exists at `/` and under `/1.0`.
struct RouteTable: Sendable {
    struct Route: Sendable {
        let method: HTTPRequest.Method
        let segments: [Substring]
        let handler: APIHandler
    }

    private var staticRoutes: [String: [HTTPRequest.Method: APIHandler]] = [:]
    private var patternRoutes: [Route] = []

    /// The routes of the core API (reference §1.2).
    static let core: RouteTable = {
        var table = RouteTable()
        for prefix in ["", "/1.0"] {
            table.add(.get, prefix + "/health", ReadHandlers.health)
            table.add(.get, prefix + "/version", ReadHandlers.version)
            table.add(.get, prefix + "/root/{sha}", ReadHandlers.root)
            table.add(.get, prefix + "/roots", ReadHandlers.roots)
            table.add(.get, prefix + "/roots.pem", ReadHandlers.rootsPEM)
            table.add(.get, prefix + "/federation", ReadHandlers.federation)
            table.add(.get, prefix + "/intermediates", ReadHandlers.intermediates)
            table.add(.get, prefix + "/intermediates.pem", ReadHandlers.intermediatesPEM)
            table.add(.get, prefix + "/provisioners", ProvisionerHandlers.list)
            table.add(.get, prefix + "/provisioners/{kid}/encrypted-key", ProvisionerHandlers.encryptedKey)
            table.add(.post, prefix + "/sign", CertificateHandlers.sign)
            table.add(.post, prefix + "/renew", RenewalHandlers.renew)
            table.add(.post, prefix + "/re-sign", RenewalHandlers.renew)
            table.add(.post, prefix + "/rekey", RenewalHandlers.rekey)
            table.add(.post, prefix + "/revoke", RenewalHandlers.revoke)
            table.add(.get, prefix + "/crl", CRLHandlers.crl)
        }
        return table
    }()

    /// The routes of the plain-HTTP `insecureAddress` listener: only the CRL (reference §1.1;
    /// SCEP, the other thing step-ca serves there, is not implemented).
    static let insecure: RouteTable = {
        var table = RouteTable()
        for prefix in ["", "/1.0"] {
            table.add(.get, prefix + "/crl", CRLHandlers.crl)
        }
        return table
    }()

    mutating func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping APIHandler) {
        if path.contains("{") {
            patternRoutes.append(Route(method: method, segments: path.split(separator: "/", omittingEmptySubsequences: false), handler: handler))
        } else {
            staticRoutes[path, default: [:]][method] = handler
        }
    }

    /// The outcome of matching a path and method.
    enum Match {
        case handler(APIHandler, parameters: [String: String])
        case methodNotAllowed
        case notFound
    }

    func match(method: HTTPRequest.Method, path: String) -> Match {
        let lookupMethod: HTTPRequest.Method = method == .head ? .get : method
        if let methods = staticRoutes[path] {
            if let handler = methods[lookupMethod] { return .handler(handler, parameters: [:]) }
            return .methodNotAllowed
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var pathMatched = false
        for route in patternRoutes where route.segments.count == segments.count {
            var parameters: [String: String] = [:]
            var matched = true
            for (pattern, segment) in zip(route.segments, segments) {
                if pattern.hasPrefix("{") && pattern.hasSuffix("}") {
                    guard !segment.isEmpty else { matched = false; break }
                    parameters[String(pattern.dropFirst().dropLast())] = String(segment)
                } else if pattern != segment {
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            pathMatched = true
            if route.method == lookupMethod { return .handler(route.handler, parameters: parameters) }
        }
        return pathMatched ? .methodNotAllowed : .notFound
    }
}
