import NIOConcurrencyHelpers

/// Group commit across the plugin boundary: updates that arrive while transactions are being
/// committed wait, then go to the database together as one transaction.
///
/// Each caller still gets only its own results, and only after the transaction holding its
/// operations has committed. A merged transaction that fails is never blamed on a bystander:
/// - a conflict (a compare-and-swap with `abortOnMismatch`) names the operation that failed; its
///   caller gets the conflict, with `operationIndex` counted within its own operations, and the
///   others are committed again without it;
/// - any other failure sends every caller's operations again on their own, so each gets the
///   outcome its update has alone.
/// Two callers that race for the same key therefore see the same result as two separate
/// transactions: the first in the batch wins, the second conflicts.
final class UpdateCoalescer: Sendable {
    typealias Commit = @Sendable ([KVOperation]) async throws -> [KVResult]

    private struct Pending {
        let operations: [KVOperation]
        let continuation: CheckedContinuation<[KVResult], Error>
    }

    private struct State {
        var queue: [Pending] = []
        var committing = 0
    }

    private let commit: Commit
    private let state = NIOLockedValueBox(State())
    /// The most updates in one transaction: bounds the wait of a batch's first caller (a server
    /// database runs the operations one round trip at a time) and the work redone on failure.
    let maximumBatch: Int
    /// The most transactions in flight at once, so that a server database executes one batch
    /// while the previous one commits.
    let maximumConcurrent: Int

    /// `commit` runs one atomic update (the database's own, uncoalesced).
    init(maximumBatch: Int = 32, maximumConcurrent: Int = 2, commit: @escaping Commit) {
        self.maximumBatch = max(1, maximumBatch)
        self.maximumConcurrent = max(1, maximumConcurrent)
        self.commit = commit
    }

    /// The updates waiting for a transaction (not those in flight).
    var waiting: Int { state.withLockedValue { $0.queue.count } }

    /// Commits `operations` atomically, possibly together with concurrent callers' operations.
    func update(_ operations: [KVOperation]) async throws -> [KVResult] {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLockedValue { state in
                state.queue.append(Pending(operations: operations, continuation: continuation))
                guard state.committing < maximumConcurrent else { return false }
                state.committing += 1
                return true
            }
            if leads { Task { await self.drain() } }
        }
    }

    /// Commits batches until the queue is empty; at most `maximumConcurrent` drains run at once.
    private func drain() async {
        while true {
            let batch: [Pending] = state.withLockedValue { state in
                let batch = Array(state.queue.prefix(maximumBatch))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.committing -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            await commitTogether(batch)
        }
    }

    private func commitTogether(_ batch: [Pending]) async {
        guard batch.count > 1 else { return await commitAlone(batch) }
        var offsets: [Int] = []
        var merged: [KVOperation] = []
        for pending in batch {
            offsets.append(merged.count)
            merged += pending.operations
        }
        do {
            let results = try await commit(merged)
            for (pending, offset) in zip(batch, offsets) {
                pending.continuation.resume(returning: Array(results[offset..<offset + pending.operations.count]))
            }
        } catch var error as DatabaseError where error.code == .conflict && error.operationIndex != nil {
            guard let culprit = offsets.lastIndex(where: { $0 <= error.operationIndex! }),
                  error.operationIndex! < offsets[culprit] + batch[culprit].operations.count else {
                await commitAlone(batch)
                return
            }
            error.operationIndex! -= offsets[culprit]
            batch[culprit].continuation.resume(throwing: error)
            var rest = batch
            rest.remove(at: culprit)
            await commitTogether(rest)
        } catch {
            await commitAlone(batch)
        }
    }

    /// Each update as its own transaction, so that each caller gets its own outcome.
    private func commitAlone(_ batch: [Pending]) async {
        for pending in batch {
            do { pending.continuation.resume(returning: try await commit(pending.operations)) } catch {
                pending.continuation.resume(throwing: error)
            }
        }
    }
}
