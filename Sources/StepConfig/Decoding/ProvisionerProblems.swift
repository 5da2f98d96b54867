/// Problems that step-ca reports by keeping a provisioner "Uninitialized"
/// rather than refusing to start. Each becomes a warning; the first becomes
/// the provisioner's ``Provisioner/uninitializedReason``.
struct ProvisionerProblems {
    private(set) var items: [(path: JSONPath, reason: String, offset: Int)] = []

    mutating func add(_ reader: ObjectReader, _ key: String, _ reason: String) {
        items.append((reader.path(key), reason, reader.offset(key)))
    }

    mutating func add(_ path: JSONPath, _ reason: String, offset: Int) {
        items.append((path, reason, offset))
    }

    /// Emits the warnings and returns the first reason.
    func report(to context: DecodeContext) -> String? {
        for item in items {
            context.warning(.provisionerUninitialized, item.path,
                            item.reason + "; step-ca keeps this provisioner uninitialized", at: item.offset)
        }
        return items.first.map { "\($0.path): \($0.reason)" }
    }
}
