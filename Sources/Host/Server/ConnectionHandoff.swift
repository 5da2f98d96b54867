import NIOConcurrencyHelpers
import NIOCore

/// Makes sure every connection the server has set up is served exactly once, also when the
/// HTTP server's accept loop ends with connections still on their way to it.
///
/// The HTTP server hands each accepted connection, once set up, to its accept loop. A connection
/// that arrived there as shutdown closed the loop was dropped: never served, and over HTTP/2 the
/// first stream on it made NIO trap ("Deinited NIOAsyncWriter without calling finish()"), since
/// nobody takes the streams it opens. Here each set-up connection waits to be claimed: by the
/// server's handler as usual, or, once shutdown has begun, by ``drain()``, which serves every
/// connection not yet claimed in a task of its own. Whichever claims first serves it.
final class ConnectionHandoff: Sendable {
    typealias Serve = @Sendable () async -> Void

    private struct State {
        var waiting: [ObjectIdentifier: Serve] = [:]
        var draining = false
        var drainTasks: [Task<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Records a connection just set up, with how to serve it. During a drain it is served at once.
    func setUp(_ channel: any Channel, serve: @escaping Serve) {
        state.withLockedValue { state in
            if state.draining {
                state.drainTasks.append(Task { await serve() })
            } else {
                state.waiting[ObjectIdentifier(channel)] = serve
            }
        }
    }

    /// The server's handler claims its connection; false when a drain has already served it.
    func claim(_ channel: any Channel) -> Bool {
        state.withLockedValue { $0.waiting.removeValue(forKey: ObjectIdentifier(channel)) != nil }
    }

    /// Serves every connection not claimed yet, and from now on each new one as it is set up.
    func drain() {
        state.withLockedValue { state in
            state.draining = true
            for serve in state.waiting.values {
                state.drainTasks.append(Task { await serve() })
            }
            state.waiting.removeAll()
        }
    }

    /// Waits until every connection a drain took has been served.
    func drained() async {
        while true {
            let tasks = state.withLockedValue { state -> [Task<Void, Never>] in
                defer { state.drainTasks.removeAll() }
                return state.drainTasks
            }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }
}
