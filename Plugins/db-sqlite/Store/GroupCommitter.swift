import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// Serialises writes on one connection and commits concurrent writers together.
///
/// Each caller enqueues a job and waits. Whoever finds no commit in progress becomes the leader:
/// it runs every queued job inside one `BEGIN IMMEDIATE … COMMIT`, each job inside its own
/// savepoint so that a failing job rolls back alone (a job alone in its batch needs none), then
/// wakes the waiters. No caller returns before the transaction holding its write has committed
/// (with `synchronous=FULL`, durably).
final class GroupCommitter: @unchecked Sendable {
    private final class Job {
        let body: (SQLiteConnection) throws -> Void
        var error: Error?
        var finished = false
        init(_ body: @escaping (SQLiteConnection) throws -> Void) { self.body = body }
    }

    private let connection: SQLiteConnection
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var queue: [Job] = []
    private var committing = false
    /// The largest number of jobs per transaction; bounds latency of the first job in a batch.
    private let maximumBatch = 256

    init(connection: SQLiteConnection) {
        self.connection = connection
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body` on the write connection inside a (shared) transaction and returns its result
    /// once that transaction has committed.
    func write<T>(_ body: @escaping (SQLiteConnection) throws -> T) throws -> T {
        var result: T?
        let job = Job { connection in result = try body(connection) }
        pthread_mutex_lock(&mutex)
        queue.append(job)
        while !job.finished {
            if committing {
                pthread_cond_wait(&condition, &mutex)
                continue
            }
            committing = true
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            pthread_mutex_unlock(&mutex)
            run(batch)
            pthread_mutex_lock(&mutex)
            committing = false
            pthread_cond_broadcast(&condition)
        }
        pthread_mutex_unlock(&mutex)
        if let error = job.error { throw error }
        return result!
    }

    /// Runs a batch in one transaction; sets each job's outcome.
    private func run(_ batch: [Job]) {
        defer { batch.forEach { $0.finished = true } }
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            batch.forEach { $0.error = error }
            return
        }
        if batch.count == 1 {
            runAlone(batch[0])
            return
        }
        for job in batch {
            do {
                try connection.execute("SAVEPOINT job")
                do {
                    try job.body(connection)
                    try connection.execute("RELEASE job")
                } catch {
                    job.error = error
                    try connection.execute("ROLLBACK TO job")
                    try connection.execute("RELEASE job")
                }
            } catch {
                job.error = job.error ?? error
            }
        }
        commit(batch)
    }

    /// A lone job needs no savepoint: when it fails, the whole transaction is rolled back.
    /// (A savepoint makes SQLite keep a copy of every page the job changes.)
    private func runAlone(_ job: Job) {
        do {
            try job.body(connection)
        } catch {
            job.error = error
            try? connection.execute("ROLLBACK")
            return
        }
        commit([job])
    }

    private func commit(_ batch: [Job]) {
        do {
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            for job in batch where job.error == nil { job.error = error }
        }
    }
}
