import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// A fixed-size pool of connections, safe to use from any thread.
///
/// At most `capacity` connections exist; a caller waits (up to ``waitLimit``) for one to come
/// back when all are busy. Connections are opened lazily. Before an idle connection is handed out
/// it is checked without a round trip (has the server closed it?) and, when suspect — the server
/// closed it, another connection was lost since it was last used, or it sat idle for a minute —
/// pinged; a dead one is replaced by a fresh connection before anything is sent on it.
final class ConnectionPool {
    let capacity: Int
    /// How long a caller waits for a busy pool before giving up.
    let waitLimit: UInt64 = 60_000_000_000
    /// An idle connection older than this is pinged before use.
    let idleCheckAfter: UInt64 = 60_000_000_000

    private let factory: () throws -> MySQLConnection
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let available = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var idle: [MySQLConnection] = []
    private var open = 0
    private var closed = false
    /// Grows each time a connection is found lost: its idle peers are then pinged before use.
    private var losses = 0

    /// A pool holding `first` (already open) and opening more with `factory`.
    init(capacity: Int, first: MySQLConnection, factory: @escaping () throws -> MySQLConnection) {
        self.capacity = capacity
        self.factory = factory
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(available, &attributes)
        pthread_condattr_destroy(&attributes)
        idle = [first]
        open = 1
    }

    deinit {
        pthread_cond_destroy(available)
        pthread_mutex_destroy(mutex)
        available.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool, or
    /// closes it when it broke.
    func withConnection<T>(_ body: (MySQLConnection) throws -> T) throws -> T {
        let connection = try acquire()
        defer { release(connection) }
        return try body(connection)
    }

    /// Closes every idle connection; later calls fail. No call may be in flight.
    func close() {
        let connections: [MySQLConnection] = locked {
            closed = true
            defer { idle.removeAll() }
            return idle
        }
        connections.forEach { $0.close() }
    }

    // MARK: Internals

    private enum Grant {
        case reuse(MySQLConnection, losses: Int)
        case create
    }

    private func acquire() throws -> MySQLConnection {
        let grant = try waitForGrant()
        switch grant {
        case .create:
            return try openConnection()
        case .reuse(let connection, let losses):
            let now = MySQLConnection.now()
            let suspect = connection.epoch < losses || now &- connection.lastUsed > idleCheckAfter || connection.peerClosed
            if !suspect || connection.ping() {
                connection.epoch = losses
                return connection
            }
            // Dead before anything was sent on it: replace it, keeping its slot.
            connection.close()
            locked { self.losses += 1 }
            return try openConnection()
        }
    }

    private func waitForGrant() throws -> Grant {
        try locked {
            let deadline = MySQLConnection.now() + waitLimit
            while true {
                if closed { throw PluginError.unavailable("mysql: the database is closed") }
                if let connection = idle.popLast() { return .reuse(connection, losses: losses) }
                if open < capacity {
                    open += 1
                    return .create
                }
                var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                if pthread_cond_timedwait(available, mutex, &time) == ETIMEDOUT, MySQLConnection.now() >= deadline {
                    throw PluginError.unavailable("mysql: all \(capacity) connections stayed busy for \(waitLimit / 1_000_000_000) s (db.maxConnections)")
                }
            }
        }
    }

    /// Opens a connection for a slot already counted in `open`; gives the slot back on failure.
    private func openConnection() throws -> MySQLConnection {
        do {
            let connection = try factory()
            connection.epoch = locked { losses }
            return connection
        } catch {
            locked {
                open -= 1
                pthread_cond_signal(available)
            }
            throw error
        }
    }

    private func release(_ connection: MySQLConnection) {
        if connection.broken {
            connection.close()
            locked {
                open -= 1
                if connection.lost { losses += 1 }
                pthread_cond_signal(available)
            }
            return
        }
        connection.lastUsed = MySQLConnection.now()
        let keep: Bool = locked {
            guard !closed else { open -= 1; return false }
            idle.append(connection)
            pthread_cond_signal(available)
            return true
        }
        if !keep { connection.close() }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
