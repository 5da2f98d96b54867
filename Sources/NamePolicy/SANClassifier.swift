/// Names split by kind as step's `SplitSANs` does: an IP literal is an IP, a string with a URI
/// scheme that parses as a URL is a URI, one containing `@` is an email, anything else a DNS name.
struct SANClassifier {
    var dnsNames: [String] = []
    var ipAddresses: [IPAddress] = []
    var emailAddresses: [String] = []
    var uris: [URIName] = []

    init(_ values: [String]) {
        for value in values {
            if let ip = IPAddress(value) {
                ipAddresses.append(ip)
            } else if let uri = URIName(value) {
                uris.append(uri)
            } else if value.contains("@") {
                emailAddresses.append(value)
            } else {
                dnsNames.append(value)
            }
        }
    }

    init(_ value: String) { self.init([value]) }
}
