import PluginKit

#if canImport(Glibc)
import Glibc
#endif

/// A fixed-size pool of libpq connections, safe to use from any thread.
///
/// At most `capacity` connections exist at once; they are opened lazily (the first one at open)
/// and a caller waits while all of them are busy. A connection taken from the pool is checked
/// without a round trip first (``PGConnection/looksAlive``): one the server closed while it sat
/// idle is replaced by a new connection before any statement is sent.
final class ConnectionPool: @unchecked Sendable {
    private let capacity: Int
    private let connector: Connector
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let available = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Connections waiting for a caller, most recently used last.
    private var idle: [PGConnection] = []
    /// Connections that exist or are being opened (idle + in use + connecting).
    private var count = 0

    init(capacity: Int, connector: Connector, first: PGConnection?) {
        self.capacity = capacity
        self.connector = connector
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(available, nil)
        if let first {
            idle.append(first)
            count = 1
        }
    }

    deinit {
        close()
        pthread_cond_destroy(available)
        pthread_mutex_destroy(mutex)
        available.deallocate()
        mutex.deallocate()
    }

    /// Takes a connection: an idle one that still looks alive, else a new one. Throws
    /// `.unavailable` naming the server when a new connection cannot be opened.
    func checkout() throws -> PGConnection {
        while true {
            let reused: PGConnection? = locked {
                while idle.isEmpty && count >= capacity { pthread_cond_wait(available, mutex) }
                if let connection = idle.popLast() { return connection }
                count += 1  // a slot for the connection opened below
                return nil
            }
            if let reused {
                if reused.looksAlive { return reused }
                reused.close()
                release()
                continue
            }
            switch connector.connect() {
            case .success(let connection):
                return connection
            case .failure(let failure):
                release()
                throw failure.pluginError
            }
        }
    }

    /// Returns a healthy connection to the pool.
    func checkin(_ connection: PGConnection) {
        connection.uses += 1
        locked { idle.append(connection) }
        pthread_cond_signal(available)
    }

    /// Closes a broken connection and, since connections opened at the same time usually fail
    /// together (a server restart, a network change), every idle one too: the next calls open
    /// fresh connections instead of each discovering a dead one.
    func discard(_ connection: PGConnection) {
        connection.close()
        let stale: [PGConnection] = locked {
            let stale = idle
            idle.removeAll()
            count -= 1 + stale.count
            return stale
        }
        stale.forEach { $0.close() }
        pthread_cond_broadcast(available)
    }

    /// Closes every idle connection (`PQfinish`). No call may be in flight.
    func close() {
        let all: [PGConnection] = locked {
            let all = idle
            idle.removeAll()
            count -= all.count
            return all
        }
        all.forEach { $0.close() }
    }

    /// Gives up one slot (a connection closed or never opened).
    private func release() {
        locked { count -= 1 }
        pthread_cond_signal(available)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
