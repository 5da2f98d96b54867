import CPKCS11
import PluginKit

/// A token in a slot, as `C_GetTokenInfo` describes it.
struct PKCS11TokenInfo: Sendable {
    let slot: CK_SLOT_ID
    let label: String
    let manufacturer: String
    let model: String
    let serial: String
    let flags: CK_ULONG

    /// `"label" (slot N, serial S)`, for messages.
    var summary: String { "\"\(label)\" (slot \(slot), serial \(serial.isEmpty ? "none" : serial))" }
}

/// Finds the token a URI names by `token`, `manufacturer`, `model`, `serial` and `slot-id`.
enum TokenSelector {
    /// Every initialised token the module shows.
    static func tokens(_ module: PKCS11Module, context: String) throws -> [PKCS11TokenInfo] {
        var count: CK_ULONG = 0
        try check(module.f.C_GetSlotList!(CK_BBOOL(1), nil, &count), "C_GetSlotList", context)
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        if count > 0 {
            try check(module.f.C_GetSlotList!(CK_BBOOL(1), &slots, &count), "C_GetSlotList", context)
        }
        var tokens: [PKCS11TokenInfo] = []
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard module.f.C_GetTokenInfo!(slot, &info) == CKR.ok else { continue }
            guard info.flags & CK.tokenInitialized != 0 else { continue }
            tokens.append(PKCS11TokenInfo(
                slot: slot,
                label: paddedText(info.label),
                manufacturer: paddedText(info.manufacturerID),
                model: paddedText(info.model),
                serial: paddedText(info.serialNumber),
                flags: info.flags))
        }
        return tokens
    }

    /// The one token matching the URI's token attributes. With no token attribute the module
    /// must show exactly one token.
    static func select(_ uri: PKCS11URI, module: PKCS11Module) throws -> PKCS11TokenInfo {
        let context = uri.redacted
        let tokens = try tokens(module, context: context)
        let slotID = try uri.slotID()
        let criteria: [(String, String?, (PKCS11TokenInfo) -> String)] = [
            ("token", uri.text("token"), \.label),
            ("manufacturer", uri.text("manufacturer"), \.manufacturer),
            ("model", uri.text("model"), \.model),
            ("serial", uri.text("serial"), \.serial),
        ]
        let given = criteria.filter { $0.1 != nil }
        let matches = tokens.filter { token in
            given.allSatisfy { $0.2(token) == $0.1! } && (slotID.map { CK_SLOT_ID($0) == token.slot } ?? true)
        }
        let seen = tokens.isEmpty ? "none" : tokens.map(\.summary).joined(separator: ", ")
        if given.isEmpty && slotID == nil {
            guard tokens.count == 1 else {
                throw PluginError.invalidArgument("\(context): the module \(module.path) shows \(tokens.count) tokens; name one with token=, serial= or slot-id= (tokens seen: \(seen))")
            }
            return tokens[0]
        }
        guard let match = matches.first else {
            var wanted = given.map { "\($0.0)=\"\($0.1!)\"" }
            if let slotID { wanted.append("slot-id=\(slotID)") }
            throw PluginError.notFound("\(context): no token with \(wanted.joined(separator: ", ")) in the module \(module.path); tokens seen: \(seen)")
        }
        return match
    }

    /// A fixed-width, blank-padded PKCS#11 text field as a trimmed string.
    static func paddedText<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { raw in
            var bytes = Array(raw)
            while let last = bytes.last, last == 0x20 || last == 0 { bytes.removeLast() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
