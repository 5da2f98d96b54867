import Foundation
import Testing
import StepCrypto

/// A database that step-ca filled — its tables made with step-ca's DDL, its records in step-ca's
/// encodings (reference §7.3–7.4) — is taken over as it is, and what we write reads back in
/// those encodings.
@Suite("taking over step-ca's PostgreSQL and MySQL databases", .serialized, .enabled(if: APITools.runnable))
struct DatabaseTakeoverTests {
    @Test("step-ca's tables and records are honoured: a used token stays used, a revocation stays revoked",
          arguments: SharedDatabase.kinds)
    func takeOver(kind: SharedDatabase.Kind) throws {
        let database = try SharedDatabase(kind)
        // What step-ca 0.19 left behind: its tables, a used token and a revocation.
        let usedToken = try TokenMaker.fixtureToken()
        let revokedSerial = "271828182845904523536028747135266249775"
        let revocation = #"{"Serial":"\#(revokedSerial)","ProvisionerID":"\#(LiveCA.provisionerID)","ReasonCode":1,"Reason":"key compromise","RevokedAt":"2026-01-02T03:04:05.123456789Z","ExpiresAt":"2099-01-01T00:00:00Z","TokenID":"abc","MTLS":false,"ACME":false}"#
        let tables = ["x509_certs", "x509_certs_data", "revoked_x509_certs", "x509_crl", "used_ott", "ssh_certs"]
        try database.createAsStepCA(tables.map(database.stepCATable).joined(separator: "\n") + """

            INSERT INTO used_ott (nkey, nvalue) VALUES (\(database.literal(Data(usedToken.id.utf8))), \(database.literal(Data(usedToken.token.utf8))));
            INSERT INTO revoked_x509_certs (nkey, nvalue) VALUES (\(database.literal(Data(revokedSerial.utf8))), \(database.literal(Data(revocation.utf8))));
            """)

        let ca = try LiveCA(database: database.stanza)
        defer { ca.stop() }

        // The token step-ca recorded as used is refused; a fresh one is recorded as step-ca does.
        let name = "takeover.example.com"
        let csr = try ca.makeCSR(.p256, commonName: name, sans: [name])
        let replayed = try ca.token(subject: name) { $0.id = usedToken.id }
        Expect.unauthorized(try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: replayed)))
        let fresh = try ca.token(subject: name)
        let freshID = try JWS.parse(fresh).unverifiedClaims().id ?? ""
        let leaf = try ca.leaf(from: try ca.post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: fresh)),
                               commonName: name, keyPath: csr.keyPath, keyPEM: csr.keyPEM)
        #expect(try database.rows("used_ott")[freshID] == Data(fresh.utf8))

        // Our records are step-ca's: DER under the decimal serial, the data JSON byte for byte.
        #expect(try database.rows("x509_certs")[leaf.serial] == (try Encoding.der(fromPEM: leaf.leafPEM)))
        #expect(try database.rows("x509_certs_data")[leaf.serial].map { String(decoding: $0, as: UTF8.self) } == APISignTests.expectedRecord)

        // step-ca's revocation record is found: revoking again is "already revoked".
        let body: [String: Any] = ["serial": revokedSerial, "reasonCode": 4, "passive": true,
                                   "ott": try ca.token(subject: revokedSerial, purpose: "revoke")]
        Expect.error(try ca.post("/1.0/revoke", json: body), status: 400,
                     message: StepMessages.badRequest("certificate with serial number '\(revokedSerial)' is already revoked"))
        #expect(try database.rows("revoked_x509_certs")[revokedSerial] == Data(revocation.utf8))

        // Tables step-ca did not have yet (ACME) were added beside its own.
        #expect(try database.rows("acme_accounts").isEmpty)
    }
}

/// A token made by the real step CLI, as a used_ott row holds it.
enum TokenMaker {
    /// `tokens/loadgen-token.jwt` of the fixtures, with its id (`jti`).
    static func fixtureToken() throws -> (id: String, token: String) {
        let path = TestEnvironment.fixtures.appendingPathComponent("tokens/loadgen-token.jwt").path
        let token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let id = try JWS.parse(token).unverifiedClaims().id, !id.isEmpty else {
            throw APITestError("\(path) has no jti")
        }
        return (id, token)
    }
}
