/// Cloud KMS resource names as step-ca accepts them: `projects/P/locations/L/keyRings/R/cryptoKeys/K`
/// with an optional `/cryptoKeyVersions/N`, bare or behind `cloudkms:` (also `cloudkms:name=...`).
public struct CloudKMSName: Sendable, Equatable {
    public var project: String
    public var location: String
    public var keyRing: String
    public var cryptoKey: String
    /// The version number, when the name has one.
    public var version: String?

    /// `projects/P/locations/L`.
    public var locationName: String { "projects/\(project)/locations/\(location)" }
    /// `projects/P/locations/L/keyRings/R`.
    public var keyRingName: String { "\(locationName)/keyRings/\(keyRing)" }
    /// `projects/P/locations/L/keyRings/R/cryptoKeys/K`.
    public var cryptoKeyName: String { "\(keyRingName)/cryptoKeys/\(cryptoKey)" }
    /// The full name: with `/cryptoKeyVersions/N` when there is a version.
    public var resourceName: String { version.map { "\(cryptoKeyName)/cryptoKeyVersions/\($0)" } ?? cryptoKeyName }

    /// Parses a key name; `requireVersion` demands the `/cryptoKeyVersions/N` part (signing keys).
    public init(parsing text: String, requireVersion: Bool) throws {
        var path = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        if path.hasPrefix("cloudkms:") {
            path.removeFirst("cloudkms:".count)
            // `cloudkms:name=projects/...;other=...` or `cloudkms:projects/...`
            for part in path.split(separator: ";") where part.hasPrefix("name=") {
                path = String(part.dropFirst("name=".count))
            }
            if let semicolon = path.firstIndex(of: ";") { path = String(path[..<semicolon]) }
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let labels = ["projects", "locations", "keyRings", "cryptoKeys", "cryptoKeyVersions"]
        guard parts.count == 8 || parts.count == 10 else {
            throw GCPKMSError.invalidName(text, "expected projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/N]")
        }
        for index in stride(from: 0, to: parts.count, by: 2) {
            guard parts[index] == labels[index / 2] else {
                throw GCPKMSError.invalidName(text, "expected \"\(labels[index / 2])\" where \"\(parts[index])\" is")
            }
            guard !parts[index + 1].isEmpty, parts[index + 1].allSatisfy(Self.allowed) else {
                throw GCPKMSError.invalidName(text, "\"\(parts[index + 1])\" is not a valid \(labels[index / 2]) id")
            }
        }
        project = parts[1]
        location = parts[3]
        keyRing = parts[5]
        cryptoKey = parts[7]
        version = parts.count == 10 ? parts[9] : nil
        if let version, version.isEmpty || !version.allSatisfy(\.isNumber) {
            throw GCPKMSError.invalidName(text, "version \"\(version)\" is not a number")
        }
        if requireVersion && version == nil {
            throw GCPKMSError.invalidName(text, "a signing key needs its version: .../cryptoKeyVersions/N")
        }
    }

    private static func allowed(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_" || character == ".")
    }
}
