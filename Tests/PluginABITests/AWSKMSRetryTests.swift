import AWSKMS
import Foundation
import PluginKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers each request with the next scripted
/// response (the last one repeats), and records the requests' headers.
final class ScriptedHTTPServer: @unchecked Sendable {
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    let port: Int
    private let listener: Int32
    private let script: [Response]
    private let lock = NSLock()
    private var served = 0
    private var heads: [String] = []

    init(_ script: [Response]) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, 64) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else {
            close(fd)
            throw TestSetupError("cannot listen on 127.0.0.1")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Requests answered so far.
    var requests: Int { lock.withLock { served } }
    /// The head (request line and headers) of every request.
    var requestHeads: [String] { lock.withLock { heads } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // read one request: head, then Content-Length bytes
            var headEnd: Int?
            while headEnd == nil {
                if let range = findHeadEnd(buffer) { headEnd = range; break }
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { return }
                buffer += chunk[0..<count]
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            var contentLength = 0
            for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
            while buffer.count < headEnd! + 4 + contentLength {
                let count = read(connection, &chunk, chunk.count)
                if count <= 0 { return }
                buffer += chunk[0..<count]
            }
            buffer.removeFirst(headEnd! + 4 + contentLength)
            let response: Response = lock.withLock {
                heads.append(head)
                defer { served += 1 }
                return script[min(served, script.count - 1)]
            }
            let reply = "HTTP/1.1 \(response.status) X\r\nContent-Type: application/x-amz-json-1.1\r\n"
                + "Content-Length: \(response.body.utf8.count)\r\n\r\n\(response.body)"
            let bytes = Array(reply.utf8)
            _ = bytes.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        }
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10
            && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// Retries with back-off on throttling and 5xx, none on client errors, against a local server.
@Suite("AWSKMS retries")
struct AWSKMSRetryTests {
    static let publicKey = """
        {"KeyId":"k1","PublicKey":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE","KeySpec":"ECC_NIST_P256"}
        """

    func manager(_ server: ScriptedHTTPServer) throws -> AWSKeyManager {
        let settings = try AWSKMSSettings.resolve(
            stanza: AWSKMSStanza(uri: "awskms:region=us-east-1;endpoint=http://127.0.0.1:\(server.port)"),
            environment: ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "retry-secret"])
        let manager = try AWSKeyManager(settings: settings)
        manager.client.baseDelay = .milliseconds(10)
        return manager
    }

    @Test("503 twice, then 200: the call succeeds on the third attempt; requests are SigV4-signed JSON 1.1")
    func serverErrors() throws {
        let server = try ScriptedHTTPServer([
            .init(status: 503, body: #"{"__type":"KMSInternalException","message":"try again"}"#),
            .init(status: 503, body: ""),
            .init(status: 200, body: Self.publicKey),
        ])
        defer { server.stop() }
        let kms = try manager(server)
        defer { kms.close() }
        let der = try kms.publicKey(name: "awskms:key-id=k1")
        #expect(der.count == 27)
        #expect(server.requests == 3)
        let head = server.requestHeads.first?.lowercased() ?? ""
        #expect(head.hasPrefix("post / http/1.1"))
        #expect(head.contains("x-amz-target: trentservice.getpublickey"))
        #expect(head.contains("content-type: application/x-amz-json-1.1"))
        #expect(head.contains("authorization: aws4-hmac-sha256 credential=akidtest/"))
        #expect(head.contains("/us-east-1/kms/aws4_request"))
        #expect(!head.contains("retry-secret"))
        // cached: no further request
        _ = try kms.publicKey(name: "awskms:key-id=k1")
        #expect(server.requests == 3)
    }

    @Test("ThrottlingException then success, through the asynchronous sign")
    func throttling() async throws {
        let server = try ScriptedHTTPServer([
            .init(status: 400, body: #"{"__type":"com.amazonaws.kms#ThrottlingException","message":"Rate exceeded"}"#),
            .init(status: 200, body: #"{"KeyId":"k1","Signature":"AQID","SigningAlgorithm":"ECDSA_SHA_256"}"#),
        ])
        defer { server.stop() }
        let kms = try manager(server)
        defer { kms.close() }
        let signature = try await kms.signed(key: "k1", algorithm: .ecdsaSHA256, digest: [UInt8](repeating: 7, count: 32))
        #expect(signature == [1, 2, 3])
        #expect(server.requests == 2)
        #expect(server.requestHeads.last?.lowercased().contains("x-amz-target: trentservice.sign") == true)
    }

    @Test("persistent 5xx gives up after the attempts, with the status and AWS's error in the message")
    func givesUp() throws {
        let server = try ScriptedHTTPServer([
            .init(status: 500, body: #"{"__type":"KMSInternalException","message":"broken"}"#),
        ])
        defer { server.stop() }
        let kms = try manager(server)
        defer { kms.close() }
        kms.client.maxAttempts = 3
        do {
            _ = try kms.publicKey(name: "k1")
            Issue.record("a failing server answered")
        } catch let error as PluginError {
            #expect(error.code == .unavailable)
            #expect(error.message == "AWS KMS GetPublicKey on k1 failed: HTTP 500 KMSInternalException: broken")
        }
        #expect(server.requests == 3)
    }

    @Test("client errors are not retried")
    func noRetryOnClientErrors() throws {
        let server = try ScriptedHTTPServer([
            .init(status: 400, body: #"{"__type":"ValidationException","message":"bad digest"}"#),
            .init(status: 200, body: Self.publicKey),
        ])
        defer { server.stop() }
        let kms = try manager(server)
        defer { kms.close() }
        #expect(throws: PluginError.self) { try kms.sign(key: "k1", algorithm: .ecdsaSHA256, digest: [UInt8](repeating: 0, count: 32)) }
        #expect(server.requests == 1)
    }
}
