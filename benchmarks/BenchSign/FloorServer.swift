import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import X509
import StepConfig
import StepCrypto

/// The serving floor (`--floor`): a bare HTTPS/1.1 server on the same PKI that does only what no
/// CA can skip for a `/sign`: it reads the JSON body, verifies the token's signature, parses the
/// CSR and verifies its signature, and signs a leaf for the CSR's key and the token's subject with
/// the intermediate. No claims, policy, replay or validity rules, no database, no access log; all
/// of it on the NIO event loop that read the request. Its rate bounds what any serving layer built
/// on NIO, NIOSSL and swift-crypto can reach on this machine.
enum FloorServer {
    struct Material: Sendable {
        let tokenKey: PublicKeyMaterial
        let issuer: Certificate
        let issuerKey: Certificate.PrivateKey
        let chainJSON: String
    }

    /// Serves on a free port of 127.0.0.1 until killed; announces the port as step-ca does.
    static func serve(configPath: String, passwordPath: String) async throws -> Never {
        let stepPath = URL(fileURLWithPath: configPath).deletingLastPathComponent().deletingLastPathComponent().path
        let (config, _) = try CAConfig.load(path: configPath, stepPath: StepPath(stepPath))
        let password = Data(try String(contentsOfFile: passwordPath, encoding: .utf8).utf8)
        guard case .jwk(let details) = config.authority.provisioners[0].details, let encrypted = details.encryptedKey else {
            throw BenchError("no JWK provisioner")
        }
        let tokenKey = try JWE.decryptJWK(compact: encrypted, password: password).privateKeyMaterial().publicKey
        let issuerPEM = try String(contentsOfFile: stepPath + "/certs/intermediate_ca.crt", encoding: .utf8)
        let issuer = try Certificate(pemEncoded: issuerPEM)
        let issuerKey = try PrivateKeyFile.read(pem: String(contentsOfFile: stepPath + "/secrets/intermediate_ca_key", encoding: .utf8),
                                                password: password).certificatePrivateKey
        let material = Material(tokenKey: tokenKey, issuer: issuer, issuerKey: issuerKey, chainJSON: "[" + jsonQuoted(issuerPEM) + "]")

        let tlsKey = P256.Signing.PrivateKey()
        let tlsCertificate = try leaf(subject: "localhost", publicKey: Certificate.PublicKey(tlsKey.publicKey), material: material)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: tlsCertificate, format: .der)),
                               .certificate(try NIOSSLCertificate(bytes: Array(issuerPEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tlsKey.derRepresentation), format: .der)))
        tls.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: tls)

        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FloorHandler(material: material))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        FileHandle.standardOutput.write(Data("Serving HTTPS on 127.0.0.1:\(channel.localAddress?.port ?? 0) ...\n".utf8))
        try await channel.closeFuture.get()
        exit(0)
    }

    /// The signing work of one `/sign` body; the JSON answer's bytes.
    static func sign(body: ByteBuffer, material: Material) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let token = object["ott"] as? String, let csrPEM = object["csr"] as? String else { throw BenchError("bad body") }
        let claims = try JWS.parse(token).verifiedClaims(with: material.tokenKey)
        guard let subject = claims.subject else { throw BenchError("no subject") }
        let csr = try CertificateSigningRequest(pemEncoded: csrPEM)
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else { throw BenchError("bad CSR signature") }
        let der = try leaf(subject: subject, publicKey: csr.publicKey, material: material)
        let pem = PEMBlock(type: "CERTIFICATE", bytes: Data(der)).encoded
        return Array("{\"crt\":\(jsonQuoted(pem)),\"certChain\":\(material.chainJSON)}".utf8)
    }

    /// A JSON string literal for PEM text (base64, dashes, spaces and newlines only).
    static func jsonQuoted(_ pem: String) -> String {
        "\"" + pem.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// A 24-hour leaf for `subject` (common name and DNS SAN), signed by the intermediate.
    static func leaf(subject: String, publicKey: Certificate.PublicKey, material: Material) throws -> [UInt8] {
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(86_400),
            issuer: material.issuer.subject, subject: try DistinguishedName { CommonName(subject) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                KeyUsage(digitalSignature: true)
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName(subject)])
            },
            issuerPrivateKey: material.issuerKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}

/// Collects a request's body and answers it on the same event loop.
final class FloorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let material: FloorServer.Material
    private var body = ByteBuffer()

    init(material: FloorServer.Material) { self.material = material }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end:
            let status: HTTPResponseStatus
            let answer: [UInt8]
            do {
                answer = try FloorServer.sign(body: body, material: material)
                status = .created
            } catch {
                answer = Array("{\"status\":400,\"message\":\"\(error)\"}".utf8)
                status = .badRequest
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(answer.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
