import CPKCS11
import Glibc
import PluginKit

/// Read-write sessions on one token, shared by concurrent calls.
///
/// The user logs in once, on the first session (PKCS#11 login state belongs to the application,
/// so every later session is logged in too). A call borrows an idle session or opens a new one,
/// up to `maxSessions`; beyond that it waits for one to come back. A session the token reports
/// as closed or invalid is dropped instead of returned, and a call that finds itself logged out
/// logs in again and retries once. The pool keeps at least one session open until ``close()``,
/// which keeps the login alive.
final class SessionPool: @unchecked Sendable {
    let module: PKCS11Module
    let token: PKCS11TokenInfo
    let context: String
    private let pin: [UInt8]?
    private let maxSessions: Int

    private var idle: [CK_SESSION_HANDLE] = []
    private var openCount = 0
    private var closed = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let available = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(module: PKCS11Module, token: PKCS11TokenInfo, pin: [UInt8]?, maxSessions: Int, context: String) throws {
        self.module = module
        self.token = token
        self.pin = pin
        self.maxSessions = max(1, maxSessions)
        self.context = context
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(available, nil)
        let first = try openSession()
        do {
            try login(first)
        } catch {
            _ = module.f.C_CloseSession!(first)
            throw error
        }
        idle.append(first)
        openCount = 1
    }

    deinit {
        pthread_cond_destroy(available)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        available.deallocate()
    }

    /// Runs `body` with a session of its own.
    func withSession<T>(_ body: (CK_SESSION_HANDLE) throws -> T) throws -> T {
        let session = try acquire()
        do {
            let result: T
            do {
                result = try body(session)
            } catch let error as PKCS11CallError where error.value == CKR.userNotLoggedIn && pin != nil {
                try login(session)
                result = try body(session)
            }
            release(session)
            return result
        } catch let error as PKCS11CallError where error.invalidatesSession {
            discard(session)
            throw error
        } catch {
            release(session)
            throw error
        }
    }

    /// Closes every session. No call may be in flight.
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        let sessions = idle
        idle.removeAll()
        openCount = 0
        pthread_cond_broadcast(available)
        pthread_mutex_unlock(mutex)
        for session in sessions { _ = module.f.C_CloseSession!(session) }
    }

    private func acquire() throws -> CK_SESSION_HANDLE {
        pthread_mutex_lock(mutex)
        while true {
            if closed {
                pthread_mutex_unlock(mutex)
                throw PluginError.unavailable("\(context): the key manager is closed")
            }
            if let session = idle.popLast() {
                pthread_mutex_unlock(mutex)
                return session
            }
            if openCount < maxSessions {
                openCount += 1
                pthread_mutex_unlock(mutex)
                do {
                    let session = try openSession()
                    // The first session of a pool that lost all of them needs a login again.
                    if pin != nil { try login(session) }
                    return session
                } catch {
                    pthread_mutex_lock(mutex)
                    openCount -= 1
                    pthread_cond_signal(available)
                    pthread_mutex_unlock(mutex)
                    throw error
                }
            }
            pthread_cond_wait(available, mutex)
        }
    }

    private func release(_ session: CK_SESSION_HANDLE) {
        pthread_mutex_lock(mutex)
        if closed {
            pthread_mutex_unlock(mutex)
            _ = module.f.C_CloseSession!(session)
            return
        }
        idle.append(session)
        pthread_cond_signal(available)
        pthread_mutex_unlock(mutex)
    }

    private func discard(_ session: CK_SESSION_HANDLE) {
        _ = module.f.C_CloseSession!(session)
        pthread_mutex_lock(mutex)
        openCount = max(0, openCount - 1)
        pthread_cond_signal(available)
        pthread_mutex_unlock(mutex)
    }

    private func openSession() throws -> CK_SESSION_HANDLE {
        var session: CK_SESSION_HANDLE = 0
        try check(module.f.C_OpenSession!(token.slot, CK.serialSession | CK.readWriteSession, nil, nil, &session),
                  "C_OpenSession", "\(context): token \(token.summary)")
        return session
    }

    /// Logs the user in (an existing login is fine). A wrong PIN is reported with what the token
    /// says about the remaining tries; the PIN itself never appears in a message.
    private func login(_ session: CK_SESSION_HANDLE) throws {
        guard var pin else { return }
        let status = pin.withUnsafeMutableBufferPointer {
            module.f.C_Login!(session, CK.userCU, $0.baseAddress, CK_ULONG($0.count))
        }
        if status == CKR.ok || status == CKR.userAlreadyLoggedIn { return }
        var tries = ""
        var info = CK_TOKEN_INFO()
        if module.f.C_GetTokenInfo!(token.slot, &info) == CKR.ok {
            if info.flags & CK.userPinLocked != 0 {
                tries = "; the token reports the user PIN locked"
            } else if info.flags & CK.userPinFinalTry != 0 {
                tries = "; the token reports one try left"
            } else if info.flags & CK.userPinCountLow != 0 {
                tries = "; the token reports few tries left"
            }
        }
        throw PKCS11CallError(value: status, message: "\(context): C_Login on token \(token.summary): \(CKR.name(status))\(CKR.hint(status))\(tries)")
    }
}
