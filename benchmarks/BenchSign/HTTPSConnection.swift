import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One keep-alive HTTPS/1.1 connection; requests are sent one after another.
struct HTTPSConnection {
    struct Response {
        var status: Int
        var body: ByteBuffer
    }

    var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    let host: String
    let channel: any Channel

    static func connect(host: String, port: Int, serverName: String, trustRoot: NIOSSLCertificate,
                        group: EventLoopGroup) async throws -> HTTPSConnection {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([trustRoot])
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: group).connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
            }
        }
        return HTTPSConnection(inbound: channel.inbound.makeAsyncIterator(), outbound: channel.outbound, host: serverName,
                               channel: channel.channel)
    }

    /// Finishes the writer (NIO requires it before the writer goes away) and closes the connection.
    func close() async {
        outbound.finish()
        try? await channel.close()
    }

    /// Sends one POST and reads the whole response.
    mutating func post(path: String, body: ByteBuffer) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
        var status = 0
        var collected = ByteBuffer()
        while let part = try await inbound.next() {
            switch part {
            case .head(let response): status = Int(response.status.code)
            case .body(var chunk): collected.writeBuffer(&chunk)
            case .end: return Response(status: status, body: collected)
            }
        }
        throw BenchError("connection closed before the response ended")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
