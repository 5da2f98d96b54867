import CPKCS11

/// Finds token objects by class, `CKA_ID` and `CKA_LABEL`, and reads their attributes.
struct ObjectFinder {
    let module: PKCS11Module
    let session: CK_SESSION_HANDLE
    let context: String

    /// The handles of up to `limit` objects of `objectClass` with the given id and label (nil = any).
    func find(class objectClass: CK_ULONG, id: [UInt8]?, label: [UInt8]?, limit: Int = 4) throws -> [CK_OBJECT_HANDLE] {
        var template = AttributeTemplate()
        template.add(CK.aClass, ulong: objectClass)
        if let id { template.add(CK.aID, bytes: id) }
        if let label { template.add(CK.aLabel, bytes: label) }
        try template.withAttributes { attributes, count in
            try check(module.f.C_FindObjectsInit!(session, attributes, count), "C_FindObjectsInit", context)
        }
        var handles = [CK_OBJECT_HANDLE](repeating: 0, count: limit)
        var found: CK_ULONG = 0
        let status = module.f.C_FindObjects!(session, &handles, CK_ULONG(limit), &found)
        let final = module.f.C_FindObjectsFinal!(session)
        try check(status, "C_FindObjects", context)
        try check(final, "C_FindObjectsFinal", context)
        return Array(handles.prefix(Int(found)))
    }

    /// An attribute's value, or nil when the object does not have it or hides it.
    func attribute(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws -> [UInt8]? {
        var probe = CK_ATTRIBUTE(type: type, pValue: nil, ulValueLen: 0)
        let status = module.f.C_GetAttributeValue!(session, object, &probe, 1)
        if status == CKR.attributeTypeInvalid || status == CKR.attributeSensitive { return nil }
        try check(status, "C_GetAttributeValue", context)
        if probe.ulValueLen == CK.unavailableInformation { return nil }
        var value = [UInt8](repeating: 0, count: Int(probe.ulValueLen))
        let length = probe.ulValueLen
        try value.withUnsafeMutableBytes { buffer in
            var read = CK_ATTRIBUTE(type: type, pValue: buffer.baseAddress, ulValueLen: length)
            try check(module.f.C_GetAttributeValue!(session, object, &read, 1), "C_GetAttributeValue", context)
        }
        return value
    }

    /// A `CK_ULONG` attribute (class, key type).
    func ulongAttribute(_ object: CK_OBJECT_HANDLE, _ type: CK_ATTRIBUTE_TYPE) throws -> CK_ULONG? {
        guard let bytes = try attribute(object, type), bytes.count == MemoryLayout<CK_ULONG>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: CK_ULONG.self) }
    }
}
