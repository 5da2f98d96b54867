import ArgumentParser
import Foundation
import SwiftASN1
import X509
import StepCrypto
import StepConfig

/// `step-ca certificate create --profile root-ca|intermediate-ca|leaf --kms URI --key NAME
/// [--ca root.crt --ca-key NAME --ca-kms URI] SUBJECT OUT.crt`: the certificate of a key held by
/// a key manager, self-signed (root-ca) or signed by a CA key held by a key manager. Nothing
/// leaves the device: the host hashes, the plugin signs.
struct CertificateCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make a root, intermediate or leaf certificate for a key held by a KMS plugin (like `step certificate create --kms`).")

    @Argument(help: "The subject (common name), e.g. \"Smallstep Root CA\".") var subject: String
    @Argument(help: "Where to write the certificate (PEM).") var crtFile: String
    @Option(name: .long, help: "root-ca (self-signed), intermediate-ca or leaf.") var profile = "leaf"
    @Option(name: .long, help: "The kms URI of the key manager holding --key.") var kms: String
    @Option(name: .long, help: "The name of the certificate's key in the key manager (pkcs11:id=7331;object=intermediate).") var key: String
    @Option(name: .long, help: "The issuing CA certificate (intermediate-ca and leaf).") var ca: String?
    @Option(name: .long, help: "The name of the issuing CA's key in its key manager.") var caKey: String?
    @Option(name: .long, help: "The kms URI of the key manager holding --ca-key (default: --kms).") var caKms: String?
    @Option(name: .long, help: "A subject alternative name (leaf; repeatable; default: the subject).") var san: [String] = []
    @Option(name: .long, help: "Validity end: a duration (87600h) or an RFC 3339 time (default: 87600h for CAs, 24h for leaves).") var notAfter: String?
    @Option(name: .long, help: "The directory holding libstepca-*.so plugins (or set $STEPCA_PLUGIN_DIR).") var pluginDir: String?
    @Flag(name: .long, help: "Overwrite an existing certificate file.") var force = false

    func run() async throws {
        try await runKMSCommand {
            guard let profile = ProfileCertificateFactory.Profile(rawValue: profile) else {
                throw StartupError(.usage, "--profile \"\(self.profile)\" is not one of root-ca, intermediate-ca, leaf")
            }
            try checkFlags(profile)
            let now = Date().wholeSeconds
            let notAfter = try Self.validityEnd(self.notAfter, from: now, default: profile.defaultValidity)
            if !force && FileManager.default.fileExists(atPath: crtFile) {
                throw StartupError(.exists, "\(crtFile) already exists; use --force to overwrite it")
            }
            let issuer = try ca.map { path -> Certificate in
                guard let first = try CertificateFiles.load(path, purpose: "CA").first else {
                    throw StartupError(.certificate, "\(path) holds no certificate")
                }
                return first
            }
            var opened: [KMSSession] = []
            do {
                let pem = try await makeCertificate(profile, issuer: issuer, now: now, notAfter: notAfter, opened: &opened)
                try writeOutput(pem, to: crtFile, mode: 0o644, force: force)
            } catch {
                for session in opened { await session.close() }
                throw error
            }
            for session in opened { await session.close() }
            print("Your certificate has been saved in \(crtFile).")
        }
    }

    /// Opens the key managers (recorded in `opened` for closing), signs, and returns the PEM.
    private func makeCertificate(_ profile: ProfileCertificateFactory.Profile, issuer: Certificate?, now: Date,
                                 notAfter: Date, opened: inout [KMSSession]) async throws -> String {
        let session = try await KMSSession.open(uri: kms, flag: "--kms", pluginDir: pluginDir)
        opened.append(session)
        let subjectKey = try await session.signingKey(key, flag: "--key")
        var signer = subjectKey
        var signerURI = kms
        if profile != .rootCA, let issuer, let ca, let caKey {
            signerURI = caKms ?? kms
            var issuerSession = session
            if signerURI != kms {
                issuerSession = try await KMSSession.open(uri: signerURI, flag: "--ca-kms", pluginDir: pluginDir)
                opened.append(issuerSession)
            }
            signer = try await issuerSession.signingKey(caKey, flag: "--ca-key")
            guard signer.publicKey == issuer.publicKey else {
                throw StartupError(.key, "--ca-key \"\(caKey)\" in \(issuerSession.displayURI) does not match \(ca): the key's public key differs from the certificate's")
            }
        }
        let certificate: Certificate
        do {
            certificate = try await ProfileCertificateFactory.make(
                profile: profile, subject: subject, sans: san, publicKey: subjectKey.publicKey, issuer: issuer,
                issuerKey: Certificate.PrivateKey(signer), signatureAlgorithm: signer.defaultSignatureAlgorithm,
                notBefore: now, notAfter: notAfter)
        } catch let error as KMSError {
            throw StartupError(.key, "signing with \"\(signer.name)\" in \(KMSURIText.redacted(signerURI)): \(KMSURIText.scrub(error.message, uri: signerURI))")
        }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return PEMBlock(type: "CERTIFICATE", bytes: Data(serializer.serializedBytes)).encoded
    }

    private func checkFlags(_ profile: ProfileCertificateFactory.Profile) throws {
        if profile == .rootCA {
            if ca != nil || caKey != nil || caKms != nil {
                throw StartupError(.usage, "--profile root-ca is self-signed: --ca, --ca-key and --ca-kms do not apply")
            }
        } else if ca == nil || caKey == nil {
            throw StartupError(.usage, "--profile \(profile.rawValue) needs --ca CERT and --ca-key NAME")
        }
    }

    /// `--not-after` as a duration from `now` or an RFC 3339 time.
    static func validityEnd(_ text: String?, from now: Date, default fallback: TimeInterval) throws -> Date {
        guard let text else { return now.addingTimeInterval(fallback) }
        if let duration = try? GoDuration(parsing: text) {
            guard duration.nanoseconds > 0 else { throw StartupError(.usage, "--not-after \(text) must be positive") }
            return now.addingTimeInterval(duration.timeInterval)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) {
            guard date > now else { throw StartupError(.usage, "--not-after \(text) is in the past") }
            return date
        }
        throw StartupError(.usage, "--not-after \"\(text)\" is neither a duration (87600h) nor an RFC 3339 time")
    }
}
