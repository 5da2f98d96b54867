import CPKCS11
import Glibc
import PluginKit

/// A PKCS#11 module loaded with `dlopen` and initialised for multi-threaded use.
///
/// A module is loaded once per process and path and stays loaded: PKCS#11 state is process-wide
/// (another component, such as the p11-kit proxy, may share the same module), so the plugin never
/// calls `C_Finalize`.
final class PKCS11Module: @unchecked Sendable {
    let path: String
    let functions: UnsafePointer<CK_FUNCTION_LIST>

    private init(path: String, functions: UnsafePointer<CK_FUNCTION_LIST>) {
        self.path = path
        self.functions = functions
    }

    /// One module path: loaded at most once, under a lock of its own, so that a module whose
    /// `C_Initialize` blocks (a reader that does not answer) holds up only its own users.
    private final class Entry {
        let lock = Lock()
        var module: PKCS11Module?
    }

    private static let lock = Lock()
    nonisolated(unsafe) private static var entries: [String: Entry] = [:]

    /// Loads and initialises the module at `path`; `context` (the redacted URI) prefixes errors.
    static func load(path: String, context: String) throws -> PKCS11Module {
        let entry = lock.withLock { () -> Entry in
            if let entry = entries[path] { return entry }
            let entry = Entry()
            entries[path] = entry
            return entry
        }
        return try entry.lock.withLock {
            if let module = entry.module { return module }
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
                let missing = access(path, F_OK) != 0
                throw PluginError(missing ? .notFound : .unavailable,
                                  "\(context): cannot load the PKCS#11 module \(path): \(missing ? "no such file" : reason)")
            }
            guard let symbol = dlsym(handle, "C_GetFunctionList") else {
                throw PluginError.invalidArgument("\(context): \(path) is not a PKCS#11 module: it does not export C_GetFunctionList")
            }
            typealias GetFunctionList = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CK_FUNCTION_LIST>?>?) -> CK_RV
            let getFunctionList = unsafeBitCast(symbol, to: GetFunctionList.self)
            var list: UnsafeMutablePointer<CK_FUNCTION_LIST>?
            try check(getFunctionList(&list), "C_GetFunctionList", "\(context): module \(path)")
            guard let list else {
                throw PluginError.internal("\(context): module \(path): C_GetFunctionList returned no function list")
            }
            guard let initialize = list.pointee.C_Initialize else {
                throw PluginError.internal("\(context): module \(path) has no C_Initialize")
            }
            var arguments = CK_C_INITIALIZE_ARGS()
            arguments.flags = CK.osLockingOK
            let status = withUnsafeMutablePointer(to: &arguments) { initialize(UnsafeMutableRawPointer($0)) }
            if status != CKR.cryptokiAlreadyInitialized {
                try check(status, "C_Initialize", "\(context): module \(path)")
            }
            let module = PKCS11Module(path: path, functions: UnsafePointer(list))
            entry.module = module
            return module
        }
    }

    /// The function list, for calls: `module.f.C_Sign!(...)`.
    var f: CK_FUNCTION_LIST { functions.pointee }
}
