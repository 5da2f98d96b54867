extension CAConfig {
    /// Every key step-ca reads at the top level of ca.json.
    static let topLevelKeys = [
        "root", "federatedRoots", "crt", "key", "address", "insecureAddress", "dnsNames", "kms", "ssh",
        "logger", "db", "monitoring", "authority", "tls", "password", "templates", "commonName", "crl",
        "metricsAddress",
    ]

    /// Decodes the top-level object, recording problems in `context`.
    /// Returns `nil` only when the document is not an object at all.
    static func decode(_ node: JSONNode, context: DecodeContext) -> CAConfig? {
        guard case .object = node.value else {
            context.error(.typeMismatch, .root, "expected a JSON object at the top level, found \(node.kindName)",
                          at: node.start)
            return nil
        }
        guard let reader = ObjectReader(node, at: .root, context: context, keys: topLevelKeys) else { return nil }
        let steps = context.stepPath

        var config = CAConfig(address: "", fileName: context.file)
        config.root = reader.stringOrStrings("root")?.map(steps.resolveKeyReference) ?? []
        config.federatedRoots = reader.strings("federatedRoots")?.map(steps.resolve)
        config.crt = reader.string("crt").map(steps.resolveKeyReference)
        config.key = reader.string("key").map(steps.resolveKeyReference)
        if let kms = reader.object("kms", keys: KMSConfig.keys) { config.kms = KMSConfig.decode(kms) }

        if let address = reader.requiredString("address") {
            config.address = address
            checkHostPort(address, reader, "address")
        }
        if let insecure = reader.string("insecureAddress"), !insecure.isEmpty {
            config.insecureAddress = insecure
            checkHostPort(insecure, reader, "insecureAddress")
        }
        if let names = reader.strings("dnsNames") {
            config.dnsNames = names
            if names.isEmpty { reader.invalid("dnsNames", "dnsNames cannot be empty; omit it for the defaults") }
        }

        if let ssh = reader.object("ssh", keys: SSHConfig.keys) { config.ssh = SSHConfig.decode(ssh) }
        if let logger = reader.object("logger", keys: LoggerConfig.keys) { config.logger = LoggerConfig.decode(logger) }
        if let db = reader.object("db", keys: DBConfig.keys) { config.db = DBConfig.decode(db) }
        if let monitoring = reader.object("monitoring", keys: MonitoringConfig.keys) {
            config.monitoring = MonitoringConfig.decode(monitoring)
        }
        if let authority = reader.object("authority", keys: AuthorityConfig.keys) {
            config.authority = AuthorityConfig.decode(authority)
        }
        if let tls = reader.object("tls", keys: TLSOptions.keys) { config.tls = TLSOptions.decode(tls) }
        config.password = reader.string("password")
        if let templates = reader.object("templates", keys: TemplatesConfig.keys) {
            config.templates = TemplatesConfig.decode(templates)
        }
        if let commonName = reader.string("commonName"), !commonName.isEmpty { config.commonName = commonName }
        if let crl = reader.object("crl", keys: CRLConfig.keys) { config.crl = CRLConfig.decode(crl) }
        if let metrics = reader.string("metricsAddress"), !metrics.isEmpty {
            config.metricsAddress = metrics
            checkHostPort(metrics, reader, "metricsAddress")
        }
        return config
    }

    /// Records an error unless `address` splits as Go's `net.SplitHostPort` would.
    static func checkHostPort(_ address: String, _ reader: ObjectReader, _ key: String) {
        if case .failure(let failure) = HostPort.split(address) {
            reader.invalid(key, "invalid address \(GoQuote.quote(address)): \(failure.reason)")
        }
    }
}
