import NIOCore
import PluginKit

/// An error that knows its ABI form (code and a message naming the operation and key).
public protocol PluginErrorConvertible: Error {
    var pluginError: PluginError { get }
}

/// The bridge between a cloud plugin's futures and the ABI's calls.
///
/// The ABI's blocking calls (`get_public_key`, `create_key`, ...) run on the host's plugin
/// thread pool, never on an event loop or in async code, so waiting there is what they are
/// for; signatures use `sign_async` and never wait. `service` ("AWS KMS") names the plugin in
/// messages of errors that have no ABI form of their own.
public struct PluginCalls: Sendable {
    public let service: String

    public init(service: String) { self.service = service }

    /// `error` as the ABI sees it: a ``PluginError`` as is, a ``PluginErrorConvertible`` converted,
    /// anything else an internal error naming the service.
    public func pluginError(_ error: Error) -> PluginError {
        switch error {
        case let error as PluginError: return error
        case let error as PluginErrorConvertible: return error.pluginError
        default: return .internal("\(service): \(error)")
        }
    }

    /// Waits for `future` on the calling thread (a host pool thread); every attempt behind it
    /// has its own deadline, so the wait is bounded.
    public func wait<T>(_ future: EventLoopFuture<T>) throws -> T {
        do {
            return try future.wait()
        } catch {
            throw pluginError(error)
        }
    }

    /// Runs `body`, converting what it throws.
    public func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw pluginError(error) }
    }

    /// Starts an operation and hands its outcome to an ABI completion, on whatever thread it
    /// completes (at once, when `start` throws).
    public func complete<T>(_ start: () throws -> EventLoopFuture<T>,
                            _ completion: @escaping @Sendable (Result<T, PluginError>) -> Void) {
        let future: EventLoopFuture<T>
        do {
            future = try start()
        } catch {
            completion(.failure(pluginError(error)))
            return
        }
        future.whenComplete { completion($0.mapError(self.pluginError)) }
    }
}

extension PluginError.Code {
    /// The ABI code of an HTTP error status without a more precise service error code:
    /// 401/403 auth, 404 not found, 409 conflict, 429 and 5xx unavailable, other 4xx invalid.
    public init(httpStatus: Int) {
        switch httpStatus {
        case 401, 403: self = .auth
        case 404: self = .notFound
        case 409: self = .conflict
        case 429, 500...: self = .unavailable
        case 400..<500: self = .invalidArgument
        default: self = .internal
        }
    }
}
