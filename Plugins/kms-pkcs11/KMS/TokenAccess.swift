import Glibc

/// A process-wide readers-writer lock over token access: signing and lookups run concurrently;
/// calls that create or destroy token objects (key generation, certificate storage, deletion)
/// run alone.
///
/// SoftHSM2 2.6 fails object creation that overlaps other operations of the same process with
/// CKR_GENERAL_ERROR or CKR_TEMPLATE_INCONSISTENT (SoftHSMv2 issue 573), and one token can be
/// open through several modules at once (directly and through the p11-kit proxy), so the lock
/// is not per module. Creating objects is rare; signing keeps its concurrency.
enum TokenAccess {
    private static let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        // Writers first: a steady stream of signatures must not starve key generation.
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        return lock
    }()

    /// Runs `body` alongside other shared calls.
    static func shared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` with no other token call in flight.
    static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
