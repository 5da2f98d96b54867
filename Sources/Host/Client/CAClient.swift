import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A small HTTPS client for the CA's API, used by the client commands (`certificate`, `renew`,
/// `revoke`). It trusts only the given root.
struct CAClient {
    struct Response {
        let status: Int
        let body: Data

        /// The step-ca error message of a failed response, else the raw body.
        var message: String {
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let text = object["message"] as? String {
                return text
            }
            return String(decoding: body, as: UTF8.self)
        }
    }

    let url: URL
    let root: NIOSSLCertificate

    init(caURL: String, rootFile: String) throws {
        guard let url = URL(string: caURL), url.scheme == "https", url.host != nil else {
            throw StartupError(.usage, "--ca-url \"\(caURL)\" is not an https URL")
        }
        self.url = url
        do {
            root = try NIOSSLCertificate(file: rootFile, format: .pem)
        } catch {
            throw StartupError(.certificate, "cannot read the root certificate \(rootFile): \(error)")
        }
    }

    func get(_ path: String) async throws -> Response {
        try await send(method: .GET, path: path, body: nil, headers: [:])
    }

    func post(_ path: String, json: [String: Any], headers: [String: String] = [:]) async throws -> Response {
        try await send(method: .POST, path: path, body: try JSONSerialization.data(withJSONObject: json), headers: headers)
    }

    private func send(method: HTTPMethod, path: String, body: Data?, headers: [String: String]) async throws -> Response {
        let host = url.host!
        let port = url.port ?? 443
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([root])
        let context = try NIOSSLContext(configuration: configuration)
        let serverName = IPAddressBytes(host) == nil ? host : nil
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.path.trimmingSuffix("/") + path)
            head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
            head.headers.add(name: "User-Agent", value: "\(Version.product)/\(Version.current)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body {
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: String(body.count))
                try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
            } else {
                try await outbound.write(contentsOf: [.head(head), .end(nil)])
            }
            var status = 0
            var collected = Data()
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(let chunk): collected.append(contentsOf: chunk.readableBytesView)
                case .end: return Response(status: status, body: collected)
                }
            }
            throw StartupError(.usage, "the CA closed the connection before answering")
        }
    }
}
