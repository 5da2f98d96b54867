import CMariaDB

#if canImport(Glibc)
import Glibc
#endif

/// The C API's process and thread set-up: `mysql_library_init` exactly once before anything
/// else (it is not thread-safe itself), then `mysql_thread_init` on every thread that uses the
/// library, with `mysql_thread_end` when that thread exits.
enum MySQLLibrary {
    /// The result of the one `mysql_library_init` call (Swift runs global initialisers once).
    private static let initialised: Bool = mysql_server_init(0, nil, nil) == 0

    /// A thread-specific key whose destructor calls `mysql_thread_end` as the thread exits.
    private static let threadKey: pthread_key_t? = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { _ in mysql_thread_end() }
        return created == 0 ? key : nil
    }()

    /// Initialises the library (once) and the calling thread (once per thread). Call it at the
    /// start of every entry point; it costs one thread-local read after the first time.
    static func prepareThread() throws {
        guard initialised else { throw MySQLError(code: 0, message: "mysql_library_init failed") }
        guard let key = threadKey else {
            _ = mysql_thread_init()
            return
        }
        if pthread_getspecific(key) != nil { return }
        guard mysql_thread_init() == 0 else { throw MySQLError(code: 0, message: "mysql_thread_init failed") }
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    /// The library's version, e.g. "3.3.20".
    static var clientVersion: String { String(cString: mysql_get_client_info()) }
}
