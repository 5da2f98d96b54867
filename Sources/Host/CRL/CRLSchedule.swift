import NIOConcurrencyHelpers

/// The periodic CRL tick, like step-ca's ticker: every `period` from the last (re)start,
/// ticks missed while busy dropped. ``restart(period:)`` (start-up, reload) starts a new
/// cadence and wakes a waiting ``wait()`` at once.
final class CRLSchedule: Sendable {
    private struct State {
        var epoch = 0
        var period: Duration?
        var nextDue: ContinuousClock.Instant?
        var sleeper: Task<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    /// Ticks every `period` from now; nil stops ticking (CRLs disabled).
    func restart(period: Duration?) {
        let sleeper = state.withLockedValue { state -> Task<Void, Never>? in
            state.epoch += 1
            state.period = period.flatMap { $0 > .zero ? $0 : nil }
            state.nextDue = state.period.map { ContinuousClock.now + $0 }
            defer { state.sleeper = nil }
            return state.sleeper
        }
        sleeper?.cancel()
    }

    /// Suspends until the next tick and returns true; returns false early when the schedule is
    /// restarted or the calling task is cancelled.
    func wait() async -> Bool {
        let (epoch, due) = state.withLockedValue { ($0.epoch, $0.nextDue) }
        // Without a period, sleep until a restart (a year stands in for "for ever").
        let deadline = due ?? ContinuousClock.now + .seconds(365 * 86_400)
        let sleeper = Task<Void, Never> { _ = try? await Task.sleep(until: deadline, clock: .continuous) }
        let current = state.withLockedValue { state -> Bool in
            guard state.epoch == epoch else { return false }
            state.sleeper = sleeper
            return true
        }
        if !current { sleeper.cancel() }
        await withTaskCancellationHandler {
            await sleeper.value
        } onCancel: {
            sleeper.cancel()
        }
        return state.withLockedValue { state -> Bool in
            guard state.epoch == epoch else { return false }
            state.sleeper = nil
            guard !Task.isCancelled, let due = state.nextDue, let period = state.period,
                  ContinuousClock.now >= due else { return false }
            var next = due + period
            while next <= ContinuousClock.now { next = next + period }
            state.nextDue = next
            return true
        }
    }
}
