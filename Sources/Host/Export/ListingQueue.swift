import Foundation

/// Hands the entries of a listing, produced on a plugin pool thread inside the plugin's `list`
/// call, to the exporter, an async task that looks up each certificate's `x509_certs_data` and
/// writes the record.
///
/// Why a queue: the lookups cannot be made from the listing callback (that re-enters the plugin
/// on its own thread, mid-listing), and the entries cannot be collected first (memory would grow
/// with the number of certificates). So at most ``capacity`` entries wait in memory and the
/// listing thread blocks while the queue is full: the listing runs only as far ahead of the
/// writer as that.
///
/// Back-pressure is only safe when the plugin answers the consumer's lookups while its listing
/// is blocked. A plugin the host serialises (not thread-safe) cannot: each lookup waits for the
/// listing to return, and the listing would wait for the lookups, forever. For such a plugin
/// (`stallTimeout` nil) the listing never waits: entries beyond ``capacity`` go to a spill file
/// (unlinked temporary file, read back in order), memory stays bounded and disk holds the
/// listing until it is consumed. A thread-safe plugin that still blocks its other calls during a
/// listing (one connection behind a mutex, say) is caught the same way: when the queue has been
/// full for `stallTimeout` without the consumer taking anything, the queue stops waiting and
/// spills from then on. Correctness never depends on that timeout; only where the backlog is
/// kept does.
final class ListingQueue: @unchecked Sendable {
    struct Row: Sendable {
        var key: [UInt8]
        var value: [UInt8]
    }

    let capacity: Int
    private let stallTimeout: TimeInterval?
    private let condition = NSCondition()
    private var rows: [Row] = []
    private var head = 0
    private var spill: SpillFile?
    private var spilledUnread = 0
    private var spilling: Bool
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var delivered = 0
    private var waiter: CheckedContinuation<Void, Never>?
    private var spilled = 0

    /// - Parameter stallTimeout: how long a full queue waits for the consumer to make progress
    ///   before spilling; nil to spill at once whenever the queue is full.
    init(capacity: Int, stallTimeout: TimeInterval?) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.stallTimeout = stallTimeout
        self.spilling = stallTimeout == nil
        rows.reserveCapacity(capacity)
    }

    // MARK: Producer (the listing thread)

    /// Adds one entry; blocks while the queue is full (see the type's documentation). Returns
    /// false once the consumer has cancelled, which stops the listing.
    func push(_ key: [UInt8], _ value: [UInt8]) throws -> Bool {
        condition.lock()
        if !spilling, let stallTimeout, isFull, !cancelled {
            var progress = delivered
            var deadline = Date(timeIntervalSinceNow: stallTimeout)
            while isFull && !cancelled && !spilling {
                _ = condition.wait(until: deadline)
                if delivered != progress {
                    progress = delivered
                    deadline = Date(timeIntervalSinceNow: stallTimeout)
                } else if Date() >= deadline {
                    spilling = true
                }
            }
        }
        if cancelled {
            condition.unlock()
            return false
        }
        if !isFull {
            rows.append(Row(key: key, value: value))
            wakeConsumer()
            condition.unlock()
            return true
        }
        let file: SpillFile
        do {
            file = try spill ?? SpillFile()
        } catch {
            condition.unlock()
            throw error
        }
        spill = file
        condition.unlock()
        try file.append(key, value)
        condition.lock()
        spilledUnread += 1
        spilled += 1
        wakeConsumer()
        condition.unlock()
        return true
    }

    /// The listing has ended, successfully or with `error`.
    func finish(_ error: Error?) {
        condition.lock()
        finished = true
        if let error, failure == nil { failure = error }
        wakeConsumer()
        condition.unlock()
    }

    // MARK: Consumer (the exporter)

    /// The next entry; nil when the listing has ended and everything was taken. Throws the
    /// listing's error.
    func next() async throws -> Row? {
        while true {
            switch try take() {
            case .row(let row): return row
            case .ended: return nil
            case .wait: break
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                condition.lock()
                if hasNews {
                    condition.unlock()
                    continuation.resume()
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        }
    }

    /// The next entry if one is ready now, else nil (whether or not the listing has ended).
    func nextIfReady() throws -> Row? {
        if case .row(let row) = try take() { return row }
        return nil
    }

    /// Stops the producer: its next ``push(_:_:)`` returns false.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// How many entries went through the spill file (for summaries and tests).
    var spilledTotal: Int {
        condition.lock()
        defer { condition.unlock() }
        return spilled
    }

    // MARK: Internals

    private var isFull: Bool { rows.count - head >= capacity }
    private var hasNews: Bool { head < rows.count || spilledUnread > 0 || finished || failure != nil }

    private enum Taken {
        case row(Row)
        /// The listing has ended and every entry was taken.
        case ended
        /// Nothing yet: the caller has to wait.
        case wait
    }

    private func take() throws -> Taken {
        condition.lock()
        if let failure {
            condition.unlock()
            throw failure
        }
        if head < rows.count {
            let row = rows[head]
            head += 1
            if head == rows.count {
                rows.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= capacity {
                rows.removeFirst(head)
                head = 0
            }
            delivered += 1
            condition.signal()
            condition.unlock()
            return .row(row)
        }
        if spilledUnread > 0, let spill {
            spilledUnread -= 1
            delivered += 1
            condition.signal()
            condition.unlock()
            // Only the consumer reads, and the entry was complete before it was counted.
            return .row(try spill.readNext())
        }
        let ended = finished
        condition.unlock()
        return ended ? .ended : .wait
    }

    /// Called with the lock held.
    private func wakeConsumer() {
        condition.signal()
        if let waiter {
            self.waiter = nil
            waiter.resume()
        }
    }
}
