/// Go's `net.SplitHostPort`, which is all step-ca checks of `address`:
/// a port separator is required, `":443"` and `"[::1]:9000"` are fine,
/// `"localhost"` (missing port) and `"::1:443"` (too many colons) are not.
enum HostPort {
    struct Failure: Error {
        var reason: String
    }

    static func split(_ address: String) -> Result<(host: String, port: String), Failure> {
        let chars = Array(address)
        guard let lastColon = chars.lastIndex(of: ":") else {
            return .failure(Failure(reason: "missing port in address"))
        }
        var host: String
        var noOpenAfter = 0
        var noCloseAfter = 0
        if chars.first == "[" {
            guard let close = chars.firstIndex(of: "]") else {
                return .failure(Failure(reason: "missing ']' in address"))
            }
            switch close + 1 {
            case chars.count:
                return .failure(Failure(reason: "missing port in address"))
            case lastColon:
                break
            default:
                if chars[close + 1] == ":" { return .failure(Failure(reason: "too many colons in address")) }
                return .failure(Failure(reason: "missing port in address"))
            }
            host = String(chars[1..<close])
            noOpenAfter = 1
            noCloseAfter = close + 1
        } else {
            host = String(chars[..<lastColon])
            if host.contains(":") { return .failure(Failure(reason: "too many colons in address")) }
        }
        if chars[noOpenAfter...].contains("[") { return .failure(Failure(reason: "unexpected '[' in address")) }
        if chars[noCloseAfter...].contains("]") { return .failure(Failure(reason: "unexpected ']' in address")) }
        return .success((host, String(chars[(lastColon + 1)...])))
    }
}
