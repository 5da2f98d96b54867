import Foundation
import X509
import StepCrypto

/// Creates a new PKI in the layout `step ca init` writes (reference §9.1, §9.4), configured
/// for the embedded SQLite database.
struct PKIInitializer {
    struct Options: Sendable {
        var name: String
        var dnsNames: [String]
        var address: String
        var provisioner: String
        var password: Data
        var provisionerPassword: Data
        var keyType: KeyType = .ecdsaP256
        var stepPath: String
        var force = false
        var withDatabase = true
        /// PBKDF2 iterations of the provisioner JWE (step uses 600 000).
        var jweIterations = JWE.defaultIterations
    }

    /// What was written, for the summary printed to the user.
    struct Result: Sendable {
        var rootCertificate: String
        var rootKey: String
        var intermediateCertificate: String
        var intermediateKey: String
        var configFile: String
        var defaultsFile: String
        var databaseFile: String?
        var fingerprint: String
        var caURL: String
    }

    let options: Options

    func run() throws -> Result {
        let base = URL(fileURLWithPath: options.stepPath).standardizedFileURL.path
        func path(_ relative: String) -> String { (base as NSString).appendingPathComponent(relative) }
        let files = (
            rootCrt: path("certs/root_ca.crt"), rootKey: path("secrets/root_ca_key"),
            intCrt: path("certs/intermediate_ca.crt"), intKey: path("secrets/intermediate_ca_key"),
            config: path("config/ca.json"), defaults: path("config/defaults.json"), db: path("db/ca.db"))

        if !options.force {
            for existing in [files.config, files.rootKey, files.intKey] where FileManager.default.fileExists(atPath: existing) {
                throw StartupError(.exists, "\(existing) already exists; a PKI is already initialised in \(base). Use --force to replace it")
            }
        }
        for directory in ["", "config", "certs", "secrets"] + (options.withDatabase ? ["db"] : []) {
            try SecureFile.makeDirectory(path(directory))
        }

        let tenYears: TimeInterval = 87600 * 3600
        let rootKey = try PrivateKeyMaterial.generate(options.keyType)
        let root = try CertificateFactory.makeRoot(name: options.name, key: rootKey, validity: tenYears)
        let intermediateKey = try PrivateKeyMaterial.generate(options.keyType)
        let intermediate = try CertificateFactory.makeIntermediate(
            name: options.name, key: intermediateKey, root: root, rootKey: rootKey, validity: tenYears)

        try SecureFile.write(CertificateFiles.pem(root), to: files.rootCrt, mode: 0o644)
        try SecureFile.write(CertificateFiles.pem(intermediate), to: files.intCrt, mode: 0o644)
        try SecureFile.write(PrivateKeyFile.stepEncryptedPEM(rootKey, password: options.password), to: files.rootKey, mode: 0o600)
        try SecureFile.write(PrivateKeyFile.stepEncryptedPEM(intermediateKey, password: options.password),
                             to: files.intKey, mode: 0o600)

        let provisionerKey = try PrivateKeyMaterial.generate(.ecdsaP256)
        let privateJWK = JWK(privateKey: provisionerKey)
        let encryptedKey = try JWE.encrypt(jwk: privateJWK, password: options.provisionerPassword,
                                           iterations: options.jweIterations)

        let fingerprint = CertificateFiles.fingerprint(root)
        let caURL = Self.caURL(dnsName: options.dnsNames.first ?? "localhost", address: options.address)
        let config = CAConfigWriter.caJSON(
            rootPath: files.rootCrt, crtPath: files.intCrt, keyPath: files.intKey, address: options.address,
            dnsNames: options.dnsNames, databasePath: options.withDatabase ? files.db : nil,
            provisionerName: options.provisioner, publicJWK: privateJWK.publicJWK, encryptedKey: encryptedKey)
        try SecureFile.write(config.indented(), to: files.config, mode: 0o600)
        let defaults = OrderedJSON.object([
            ("ca-url", .string(caURL)),
            ("ca-config", .string(files.config)),
            ("fingerprint", .string(fingerprint)),
            ("root", .string(files.rootCrt)),
        ])
        try SecureFile.write(defaults.indented(), to: files.defaults, mode: 0o600)

        return Result(rootCertificate: files.rootCrt, rootKey: files.rootKey, intermediateCertificate: files.intCrt,
                      intermediateKey: files.intKey, configFile: files.config, defaultsFile: files.defaults,
                      databaseFile: options.withDatabase ? files.db : nil, fingerprint: fingerprint, caURL: caURL)
    }

    /// `https://<dns>[:port]`, the port omitted when it is 443.
    static func caURL(dnsName: String, address: String) -> String {
        let port = ListenAddress(address)?.port ?? 443
        let host = dnsName.contains(":") && !dnsName.hasPrefix("[") ? "[\(dnsName)]" : dnsName
        return port == 443 ? "https://\(host)" : "https://\(host):\(port)"
    }
}
