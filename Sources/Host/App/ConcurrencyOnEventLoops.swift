import NIOCore
import NIOPosix

/// Runs Swift Concurrency's tasks on NIO's event-loop threads instead of a second thread pool.
///
/// A request then stays on the thread that read it: parsing, checks and signing run where the
/// bytes arrived, with no hand-off to the cooperative pool and back for every `await`. Plugin calls
/// still go to the plugin thread pool (`LoadedPlugin.pool`), so nothing blocking reaches a loop.
/// `STEPCA_CONCURRENCY_POOL=default` keeps Swift's own pool (for comparison and diagnosis).
enum ConcurrencyOnEventLoops {
    /// Installs the hook once, for the serving process. Returns whether NIO now runs the tasks.
    @discardableResult
    static func install(environment: [String: String]) -> Bool {
        guard environment["STEPCA_CONCURRENCY_POOL"] != "default" else { return false }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
