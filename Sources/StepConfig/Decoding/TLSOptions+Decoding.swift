extension TLSOptions {
    static let keys = ["cipherSuites", "minVersion", "maxVersion", "renegotiation"]

    /// Reads a given `tls` object; missing pieces take the defaults, as in
    /// step-ca (an empty suite list or a version of 0 counts as missing).
    static func decode(_ reader: ObjectReader) -> TLSOptions {
        var options = TLSOptions.default
        if let suites = reader.strings("cipherSuites"), !suites.isEmpty {
            options.cipherSuites = suites
            for (index, suite) in suites.enumerated() where !TLSCipherSuites.isKnown(suite) {
                let suggestion = KeySuggestion.nearest(to: suite, in: TLSCipherSuites.codes.keys.sorted())
                let hint = suggestion.map { "; did you mean \(GoQuote.quote($0))?" } ?? ""
                reader.context.error(.invalidValue, reader.path("cipherSuites").appending(index: index),
                                     "\(GoQuote.quote(suite)) is not a valid cipher suite" + hint,
                                     at: reader.offset("cipherSuites"))
            }
        }
        let minimum = version(reader, "minVersion")
        let maximum = version(reader, "maxVersion")
        options.minVersion = minimum ?? options.minVersion
        options.maxVersion = maximum ?? options.maxVersion
        if options.minVersion > options.maxVersion {
            reader.context.error(.conflict, reader.path("minVersion"),
                                 "tls minVersion \(options.minVersion.rawValue) cannot exceed tls maxVersion "
                                 + options.maxVersion.rawValue, at: reader.offset("minVersion"))
        }
        options.renegotiation = reader.bool("renegotiation") ?? false
        return options
    }

    /// A version number 1.0–1.3; `nil` for absent or 0 (use the default).
    private static func version(_ reader: ObjectReader, _ key: String) -> TLSVersion? {
        guard let number = reader.double(key), number != 0 else { return nil }
        guard let version = TLSVersion(number: number) else {
            reader.invalid(key, "\(reader.context.rawText(reader.value(key)!)) is not a valid tls version; "
                           + "expected 1.0, 1.1, 1.2 or 1.3")
            return nil
        }
        return version
    }
}
