import Foundation
import Testing
import X509

/// Two `step-ca` processes with one ca.json and one PostgreSQL or MariaDB database, as behind a
/// load balancer: what one instance records, the other honours.
@Suite("several step-ca instances on one database", .serialized, .enabled(if: APITools.runnable))
struct MultiInstanceTests {
    /// Starts two instances on a fresh database of `kind` and runs `body` with both.
    func withTwoInstances(_ kind: SharedDatabase.Kind, _ body: (LiveCA, LiveCA, SharedDatabase) throws -> Void) throws {
        let database = try SharedDatabase(kind)
        let first = try LiveCA(database: database.stanza)
        defer { first.stop() }
        let second = try LiveCA(anotherInstanceOf: first)
        defer { second.stop() }
        #expect(first.port != second.port)
        try body(first, second, database)
    }

    /// A /sign request with a fresh key, CSR and token for `name`.
    func signCall(_ ca: LiveCA, _ name: String) throws -> HTTPCall {
        let csr = try ca.makeCSR(.p256, commonName: name, sans: [name])
        return try .post("/1.0/sign", json: ca.signBody(csr: csr.pem, ott: try ca.token(subject: name)))
    }

    /// The serial of a 201 answer's certificate, with its DER.
    func issued(_ response: HTTPResult) throws -> (serial: String, der: Data) {
        guard response.status == 201, let crt = response.json?["crt"] as? String else {
            throw APITestError("expected 201 with a certificate, got \(response)")
        }
        let certificate = try Certificate(pemEncoded: crt)
        return (Encoding.decimal(certificate.serialNumber.bytes), try Encoding.der(fromPEM: crt))
    }

    /// Sends both batches at once, one to each instance; `meanwhile` runs after the first batch
    /// is under way and before the second is sent. Requests the first instance never answered
    /// have status 0.
    func sendAtBoth(_ first: LiveCA, _ firstCalls: [HTTPCall], _ second: LiveCA, _ secondCalls: [HTTPCall],
                    meanwhile: () -> Void = {}) throws -> ([HTTPResult], [HTTPResult]) {
        var firstAnswers: [HTTPResult] = []
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            firstAnswers = (try? first.sendConcurrently(firstCalls)) ?? []
            group.leave()
        }
        meanwhile()
        let secondAnswers = try second.sendConcurrently(secondCalls)
        group.wait()
        return (firstAnswers, secondAnswers)
    }

    /// Every answered certificate is recorded under its serial, with its data record.
    func expectRecorded(_ answers: [(serial: String, der: Data)], in database: SharedDatabase,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let certificates = try database.rows("x509_certs")
        let data = try database.rows("x509_certs_data")
        for answer in answers {
            #expect(certificates[answer.serial] == answer.der, "certificate \(answer.serial) not recorded", sourceLocation: sourceLocation)
            #expect(data[answer.serial] != nil, "data of \(answer.serial) not recorded", sourceLocation: sourceLocation)
        }
    }

    @Test("a token used at one instance is refused at the other", arguments: SharedDatabase.kinds)
    func replayAcrossInstances(kind: SharedDatabase.Kind) throws {
        try withTwoInstances(kind) { first, second, database in
            let name = "replay.example.com"
            let ott = try first.token(subject: name)
            let csr = try first.makeCSR(.p256, commonName: name, sans: [name])
            let answer = try issued(try first.post("/1.0/sign", json: first.signBody(csr: csr.pem, ott: ott)))

            let again = try second.makeCSR(.p256, commonName: name, sans: [name])
            Expect.unauthorized(try second.post("/1.0/sign", json: second.signBody(csr: again.pem, ott: ott)))
            // The second instance signs the same request with a fresh token: only the replay was refused.
            let fresh = try issued(try second.send(try signCall(second, name)))
            #expect(fresh.serial != answer.serial)
            #expect(try database.rows("used_ott").count == 2)
            try expectRecorded([answer, fresh], in: database)
        }
    }

    @Test("concurrent issuance at both instances: no duplicate serial, every certificate recorded", arguments: SharedDatabase.kinds)
    func concurrentIssuance(kind: SharedDatabase.Kind) throws {
        try withTwoInstances(kind) { first, second, database in
            let perInstance = 24
            let firstCalls = try (0..<perInstance).map { try signCall(first, "a\($0).example.com") }
            let secondCalls = try (0..<perInstance).map { try signCall(second, "b\($0).example.com") }
            let (firstAnswers, secondAnswers) = try sendAtBoth(first, firstCalls, second, secondCalls)

            let answers = try (firstAnswers + secondAnswers).map(issued)
            #expect(answers.count == 2 * perInstance)
            #expect(Set(answers.map(\.serial)).count == answers.count, "duplicate serials")
            try expectRecorded(answers, in: database)
            #expect(try database.rows("x509_certs").count == answers.count)
        }
    }

    @Test("a certificate revoked at one instance cannot be renewed at the other", arguments: SharedDatabase.kinds)
    func revocationAcrossInstances(kind: SharedDatabase.Kind) throws {
        try withTwoInstances(kind) { first, second, database in
            let leaf = try first.issue(commonName: "revoked-elsewhere.example.com")
            let renewed = try issued(try second.send(.post("/1.0/renew", body: nil, client: leaf.identity)))
            #expect(renewed.serial != leaf.serial, "renewal works at the other instance before revocation")

            let body: [String: Any] = ["serial": leaf.serial, "reasonCode": 1, "reason": "key compromise", "passive": true,
                                       "ott": try first.token(subject: leaf.serial, purpose: "revoke")]
            #expect(try first.post("/1.0/revoke", json: body).status == 200)
            #expect(try database.rows("revoked_x509_certs")[leaf.serial] != nil)

            Expect.unauthorized(try second.send(.post("/1.0/renew", body: nil, client: leaf.identity)))
            Expect.unauthorized(try second.send(.post("/1.0/renew", body: nil,
                                                      headers: ["Authorization": "Bearer \(try second.renewToken(for: leaf))"])))
            let again: [String: Any] = ["serial": leaf.serial, "reasonCode": 1, "passive": true,
                                        "ott": try second.token(subject: leaf.serial, purpose: "revoke")]
            Expect.error(try second.post("/1.0/revoke", json: again), status: 400,
                         message: StepMessages.badRequest("certificate with serial number '\(leaf.serial)' is already revoked"))
        }
    }

    @Test("one instance killed mid-load leaves the other serving", arguments: SharedDatabase.kinds)
    func instanceKilledMidLoad(kind: SharedDatabase.Kind) throws {
        try withTwoInstances(kind) { first, second, database in
            let firstCalls = try (0..<24).map { try signCall(first, "doomed\($0).example.com") }
            let secondCalls = try (0..<24).map { try signCall(second, "survivor\($0).example.com") }
            let (firstAnswers, secondAnswers) = try sendAtBoth(first, firstCalls, second, secondCalls) {
                usleep(150_000)
                first.kill()
            }

            // The survivor answered every request; the killed instance answered some or none.
            let survivors = try secondAnswers.map(issued)
            #expect(survivors.count == secondCalls.count)
            let completed = firstAnswers.filter { $0.status == 201 }
            #expect(firstAnswers.allSatisfy { $0.status == 201 || $0.status == 0 }, "\(firstAnswers.map(\.status))")
            // Whatever either instance handed out is recorded.
            try expectRecorded(survivors + completed.map(issued), in: database)
            try Expect.healthy(second)
            _ = try issued(try second.send(try signCall(second, "after.example.com")))
        }
    }
}
