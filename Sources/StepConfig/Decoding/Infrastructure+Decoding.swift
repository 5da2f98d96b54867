extension KMSConfig {
    static let keys = ["type", "uri", "pin", "managementKey", "credentialsFile", "region", "profile",
                      "storageDirectory"]

    static func decode(_ reader: ObjectReader) -> KMSConfig {
        KMSConfig(type: reader.string("type"), uri: reader.string("uri"), pin: reader.string("pin"),
                  managementKey: reader.string("managementKey"), credentialsFile: reader.string("credentialsFile"),
                  region: reader.string("region"), profile: reader.string("profile"),
                  storageDirectory: reader.string("storageDirectory"),
                  rawJSON: reader.context.rawText(reader.node))
    }
}

extension DBConfig {
    /// step-ca's keys, plus the options of this project's own database plugins (the whole object
    /// is handed to the plugin, which validates them).
    static let keys = ["type", "dataSource", "database", "valueDir", "badgerFileLoadingMode",
                       "busyTimeoutMilliseconds", "maxConnections"]

    /// Database types whose `dataSource` is a file path resolved against STEPPATH.
    static let fileBackedTypes: Set<String> = ["sqlite", "sqlite3"]

    static func decode(_ reader: ObjectReader) -> DBConfig? {
        let type = reader.requiredString("type", "db.type")
        let source = reader.requiredString("dataSource", "db.dataSource")
        let mode = reader.string("badgerFileLoadingMode")
        if let mode, !["", "mmap", "fileio"].contains(mode.lowercased()) {
            reader.invalid("badgerFileLoadingMode",
                           "unsupported badgerFileLoadingMode \(GoQuote.quote(mode)); expected mmap or fileio")
        }
        guard let type, var source else { return nil }
        if fileBackedTypes.contains(type.lowercased()), source != ":memory:", !source.hasPrefix("file:") {
            source = reader.context.stepPath.resolve(source)
        }
        return DBConfig(type: type, dataSource: source, database: reader.string("database"),
                        valueDir: reader.string("valueDir"), badgerFileLoadingMode: mode,
                        rawJSON: reader.context.rawText(reader.node))
    }
}

extension LoggerConfig {
    static let keys = ["format", "traceHeader"]

    static func decode(_ reader: ObjectReader) -> LoggerConfig {
        var config = LoggerConfig(traceHeader: reader.string("traceHeader"))
        if let format = reader.string("format"), !format.isEmpty {
            if let known = Format(rawValue: format.lowercased()) {
                config.format = known
            } else {
                reader.invalid("format", "unsupported logger format \(GoQuote.quote(format)); "
                               + "expected text, json or common")
            }
        }
        return config
    }
}

extension MonitoringConfig {
    static let keys = ["type", "name", "key"]

    static func decode(_ reader: ObjectReader) -> MonitoringConfig {
        MonitoringConfig(type: reader.string("type"), name: reader.string("name"), key: reader.string("key"),
                         rawJSON: reader.context.rawText(reader.node))
    }
}
