import CPKCS11
import PluginKit

/// PKCS#11 return values (`CKR_*`) by name, and the plugin status each one maps to.
enum CKR {
    static let ok: CK_RV = 0
    static let cryptokiAlreadyInitialized: CK_RV = 0x191
    static let userAlreadyLoggedIn: CK_RV = 0x100
    static let userNotLoggedIn: CK_RV = 0x101
    static let bufferTooSmall: CK_RV = 0x150
    static let objectHandleInvalid: CK_RV = 0x82
    static let keyHandleInvalid: CK_RV = 0x60
    static let sessionHandleInvalid: CK_RV = 0xb3
    static let sessionClosed: CK_RV = 0xb0
    static let deviceRemoved: CK_RV = 0x32
    static let tokenNotPresent: CK_RV = 0xe0
    static let attributeTypeInvalid: CK_RV = 0x12
    static let attributeSensitive: CK_RV = 0x11

    /// The names of the v2.40 return values.
    static let names: [CK_RV: String] = [
        0x0: "CKR_OK", 0x1: "CKR_CANCEL", 0x2: "CKR_HOST_MEMORY", 0x3: "CKR_SLOT_ID_INVALID",
        0x5: "CKR_GENERAL_ERROR", 0x6: "CKR_FUNCTION_FAILED", 0x7: "CKR_ARGUMENTS_BAD",
        0x8: "CKR_NO_EVENT", 0x9: "CKR_NEED_TO_CREATE_THREADS", 0xa: "CKR_CANT_LOCK",
        0x10: "CKR_ATTRIBUTE_READ_ONLY", 0x11: "CKR_ATTRIBUTE_SENSITIVE", 0x12: "CKR_ATTRIBUTE_TYPE_INVALID",
        0x13: "CKR_ATTRIBUTE_VALUE_INVALID", 0x1b: "CKR_ACTION_PROHIBITED", 0x20: "CKR_DATA_INVALID",
        0x21: "CKR_DATA_LEN_RANGE", 0x30: "CKR_DEVICE_ERROR", 0x31: "CKR_DEVICE_MEMORY",
        0x32: "CKR_DEVICE_REMOVED", 0x40: "CKR_ENCRYPTED_DATA_INVALID", 0x41: "CKR_ENCRYPTED_DATA_LEN_RANGE",
        0x50: "CKR_FUNCTION_CANCELED", 0x51: "CKR_FUNCTION_NOT_PARALLEL", 0x54: "CKR_FUNCTION_NOT_SUPPORTED",
        0x60: "CKR_KEY_HANDLE_INVALID", 0x62: "CKR_KEY_SIZE_RANGE", 0x63: "CKR_KEY_TYPE_INCONSISTENT",
        0x64: "CKR_KEY_NOT_NEEDED", 0x65: "CKR_KEY_CHANGED", 0x66: "CKR_KEY_NEEDED",
        0x67: "CKR_KEY_INDIGESTIBLE", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED", 0x69: "CKR_KEY_NOT_WRAPPABLE",
        0x6a: "CKR_KEY_UNEXTRACTABLE", 0x70: "CKR_MECHANISM_INVALID", 0x71: "CKR_MECHANISM_PARAM_INVALID",
        0x82: "CKR_OBJECT_HANDLE_INVALID", 0x90: "CKR_OPERATION_ACTIVE", 0x91: "CKR_OPERATION_NOT_INITIALIZED",
        0xa0: "CKR_PIN_INCORRECT", 0xa1: "CKR_PIN_INVALID", 0xa2: "CKR_PIN_LEN_RANGE", 0xa3: "CKR_PIN_EXPIRED",
        0xa4: "CKR_PIN_LOCKED", 0xb0: "CKR_SESSION_CLOSED", 0xb1: "CKR_SESSION_COUNT",
        0xb3: "CKR_SESSION_HANDLE_INVALID", 0xb4: "CKR_SESSION_PARALLEL_NOT_SUPPORTED",
        0xb5: "CKR_SESSION_READ_ONLY", 0xb6: "CKR_SESSION_EXISTS", 0xb7: "CKR_SESSION_READ_ONLY_EXISTS",
        0xb8: "CKR_SESSION_READ_WRITE_SO_EXISTS", 0xc0: "CKR_SIGNATURE_INVALID", 0xc1: "CKR_SIGNATURE_LEN_RANGE",
        0xd0: "CKR_TEMPLATE_INCOMPLETE", 0xd1: "CKR_TEMPLATE_INCONSISTENT", 0xe0: "CKR_TOKEN_NOT_PRESENT",
        0xe1: "CKR_TOKEN_NOT_RECOGNIZED", 0xe2: "CKR_TOKEN_WRITE_PROTECTED", 0x100: "CKR_USER_ALREADY_LOGGED_IN",
        0x101: "CKR_USER_NOT_LOGGED_IN", 0x102: "CKR_USER_PIN_NOT_INITIALIZED", 0x103: "CKR_USER_TYPE_INVALID",
        0x104: "CKR_USER_ANOTHER_ALREADY_LOGGED_IN", 0x105: "CKR_USER_TOO_MANY_TYPES",
        0x130: "CKR_DOMAIN_PARAMS_INVALID", 0x140: "CKR_CURVE_NOT_SUPPORTED", 0x150: "CKR_BUFFER_TOO_SMALL",
        0x160: "CKR_SAVED_STATE_INVALID", 0x170: "CKR_INFORMATION_SENSITIVE", 0x180: "CKR_STATE_UNSAVEABLE",
        0x190: "CKR_CRYPTOKI_NOT_INITIALIZED", 0x191: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
        0x1a0: "CKR_MUTEX_BAD", 0x1a1: "CKR_MUTEX_NOT_LOCKED", 0x200: "CKR_FUNCTION_REJECTED",
    ]

    /// `CKR_NAME`, or `CKR_VENDOR_DEFINED+0x...`/hex for unknown values.
    static func name(_ value: CK_RV) -> String {
        if let name = names[value] { return name }
        if value >= 0x8000_0000 { return "CKR_VENDOR_DEFINED (0x\(String(value, radix: 16)))" }
        return "CKR 0x\(String(value, radix: 16))"
    }

    /// The plugin status a return value is reported with.
    static func code(_ value: CK_RV) -> PluginError.Code {
        switch value {
        case 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0x101, 0x102, 0x103, 0x104:
            return .auth
        case 0x70, 0x71, 0x54, 0x63, 0x68, 0x140, 0x62:
            return .unsupported
        case 0x7, 0x13, 0x20, 0x21, 0xd0, 0xd1:
            return .invalidArgument
        case 0x30, 0x31, 0x32, 0xb0, 0xb1, 0xb3, 0xe0, 0xe1, 0x190, 0x1, 0x50:
            return .unavailable
        case 0x82, 0x60:
            return .notFound
        default:
            return .internal
        }
    }

    /// A short explanation for the return values users meet most.
    static func hint(_ value: CK_RV) -> String {
        switch value {
        case 0xa0: return " (wrong PIN)"
        case 0xa4: return " (the PIN is locked)"
        case 0x101: return " (not logged in: give a PIN with pin-value, pin-source or kms.pin)"
        case 0x70: return " (the token does not offer this mechanism)"
        case 0xe0: return " (the token is not present)"
        case 0xe2: return " (the token is write-protected)"
        default: return ""
        }
    }
}

/// Throws a ``PluginError`` for a failed PKCS#11 call: `<context>: <function>: CKR_NAME (hint)`.
@inline(__always)
func check(_ value: CK_RV, _ function: String, _ context: @autoclosure () -> String) throws {
    guard value != CKR.ok else { return }
    throw PKCS11CallError(value: value, message: "\(context()): \(function): \(CKR.name(value))\(CKR.hint(value))")
}

/// A failed PKCS#11 call: the return value and the message. Turned into a ``PluginError``
/// at the plugin boundary; kept apart so that callers can react to session-level failures.
struct PKCS11CallError: Error, CustomStringConvertible {
    let value: CK_RV
    let message: String

    var description: String { message }
    var pluginError: PluginError { PluginError(CKR.code(value), message) }

    /// Whether the session is unusable and should be dropped from the pool.
    var invalidatesSession: Bool {
        value == CKR.sessionHandleInvalid || value == CKR.sessionClosed || value == CKR.deviceRemoved
            || value == CKR.tokenNotPresent
    }
}
