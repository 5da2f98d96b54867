import Foundation
import Testing
import X509
import StepCrypto
@testable import Host

/// Request bodies match member names to fields without regard to case, as Go's decoder does.
@Suite("Request bodies: names in any case")
struct GoJSONKeysTests {
    static func csrPEM() throws -> String {
        let csr = try X509TemplateUnitTests.csr(commonName: "case.example.com")
        return try csr.serializeAsPEM().pemString
    }

    static func body(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }

    @Test("a sign request with CSR, Ott and NOTAFTER is read as csr, ott and notAfter")
    func signRequest() throws {
        let request = try SignRequest.decode(Self.body(["CSR": try Self.csrPEM(), "Ott": "token", "NOTAFTER": "1h", "other": 1]))
        #expect(request.csr?.subject.description == "CN=case.example.com")
        #expect(request.ott == "token")
        #expect(request.notAfter != nil)
        #expect(request.notBefore == nil)
    }

    @Test("a member of the wrong type is still 'error decoding json', whatever its case")
    func wrongType() throws {
        for body in [["CSR": 5], ["csr": 5], ["oTT": true]] {
            let error = #expect(throws: APIError.self) { try SignRequest.decode(Self.body(body)) }
            #expect(error?.detail.contains("error decoding json") == true, "\(String(describing: error))")
        }
    }

    @Test("a revoke request with Serial, ReasonCode, REASON and Passive")
    func revokeRequest() throws {
        let request = try RevokeService.decode(Self.body(["Serial": "1234", "ReasonCode": 4, "REASON": "superseded", "Passive": true]))
        #expect(request.serial == "1234" && request.reasonCode == 4 && request.reason == "superseded" && request.passive)
    }

    @Test("a value by name from a decoded object: the exact name first, then any case")
    func values() {
        #expect(GoJSONKeys.value(["CSR": "a"], "csr") as? String == "a")
        #expect(GoJSONKeys.value(["csr": "exact", "CSR": "other"], "csr") as? String == "exact")
        #expect(GoJSONKeys.value(["cs": "a"], "csr") == nil)
    }
}
