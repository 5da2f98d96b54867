@testable import StepConfig
import Testing

@Suite("Addresses split like Go's net.SplitHostPort")
struct HostPortTests {
    static let accepted: [(String, String, String)] = [
        (":443", "", "443"),
        ("127.0.0.1:9443", "127.0.0.1", "9443"),
        ("[::1]:9000", "::1", "9000"),
        ("ca.example.com:https", "ca.example.com", "https"),
        ("localhost:", "localhost", ""),
        ("[fe80::1%eth0]:443", "fe80::1%eth0", "443"),
    ]

    @Test("accepted", arguments: accepted)
    func accepts(_ address: String, host: String, port: String) throws {
        let split = try HostPort.split(address).get()
        #expect(split.host == host)
        #expect(split.port == port)
    }

    static let rejected: [(String, String)] = [
        ("localhost", "missing port in address"),
        ("::1:443", "too many colons in address"),
        ("[::1]", "missing port in address"),
        ("[::1]443", "missing port in address"),
        ("[::1]:443:1", "too many colons in address"),
        ("[::1:443", "missing ']' in address"),
        ("a]b:443", "unexpected ']' in address"),
        ("a[b:443", "unexpected '[' in address"),
    ]

    @Test("rejected", arguments: rejected)
    func rejects(_ address: String, reason: String) {
        guard case .failure(let failure) = HostPort.split(address) else {
            Issue.record("\(address) should be rejected")
            return
        }
        #expect(failure.reason == reason)
    }
}
